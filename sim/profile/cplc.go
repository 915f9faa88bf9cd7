package profile

import "fmt"

// CPLC is the Card Production Life Cycle data returned by GET DATA 9F7F: 18
// fixed-length fields, 42 bytes in all, in the order tools print them
// (GlobalPlatformPro's CPLC dump, shared/spec/clients.md §1.3; the 42-byte
// size matches the traces in shared/spec/gp-card.md §1.4). Fields left empty
// are zeros.
type CPLC struct {
	ICFabricator                  Hex `json:"ic_fabricator,omitempty"`                    // 2
	ICType                        Hex `json:"ic_type,omitempty"`                          // 2
	OperatingSystemID             Hex `json:"operating_system_id,omitempty"`              // 2
	OperatingSystemReleaseDate    Hex `json:"operating_system_release_date,omitempty"`    // 2 (YDDD)
	OperatingSystemReleaseLevel   Hex `json:"operating_system_release_level,omitempty"`   // 2
	ICFabricationDate             Hex `json:"ic_fabrication_date,omitempty"`              // 2
	ICSerialNumber                Hex `json:"ic_serial_number,omitempty"`                 // 4
	ICBatchIdentifier             Hex `json:"ic_batch_identifier,omitempty"`              // 2
	ICModuleFabricator            Hex `json:"ic_module_fabricator,omitempty"`             // 2
	ICModulePackagingDate         Hex `json:"ic_module_packaging_date,omitempty"`         // 2
	ICCManufacturer               Hex `json:"icc_manufacturer,omitempty"`                 // 2
	ICEmbeddingDate               Hex `json:"ic_embedding_date,omitempty"`                // 2
	ICPrePersonalizer             Hex `json:"ic_pre_personalizer,omitempty"`              // 2
	ICPrePersonalizationDate      Hex `json:"ic_pre_personalization_date,omitempty"`      // 2
	ICPrePersonalizationEquipment Hex `json:"ic_pre_personalization_equipment,omitempty"` // 4
	ICPersonalizer                Hex `json:"ic_personalizer,omitempty"`                  // 2
	ICPersonalizationDate         Hex `json:"ic_personalization_date,omitempty"`          // 2
	ICPersonalizationEquipment    Hex `json:"ic_personalization_equipment_id,omitempty"`  // 4
}

// Bytes returns the 42-byte CPLC value (without tag 9F7F), or an error naming
// a field of the wrong length.
func (c CPLC) Bytes() ([]byte, error) {
	fields := []struct {
		name string
		v    Hex
		n    int
	}{
		{"ic_fabricator", c.ICFabricator, 2},
		{"ic_type", c.ICType, 2},
		{"operating_system_id", c.OperatingSystemID, 2},
		{"operating_system_release_date", c.OperatingSystemReleaseDate, 2},
		{"operating_system_release_level", c.OperatingSystemReleaseLevel, 2},
		{"ic_fabrication_date", c.ICFabricationDate, 2},
		{"ic_serial_number", c.ICSerialNumber, 4},
		{"ic_batch_identifier", c.ICBatchIdentifier, 2},
		{"ic_module_fabricator", c.ICModuleFabricator, 2},
		{"ic_module_packaging_date", c.ICModulePackagingDate, 2},
		{"icc_manufacturer", c.ICCManufacturer, 2},
		{"ic_embedding_date", c.ICEmbeddingDate, 2},
		{"ic_pre_personalizer", c.ICPrePersonalizer, 2},
		{"ic_pre_personalization_date", c.ICPrePersonalizationDate, 2},
		{"ic_pre_personalization_equipment", c.ICPrePersonalizationEquipment, 4},
		{"ic_personalizer", c.ICPersonalizer, 2},
		{"ic_personalization_date", c.ICPersonalizationDate, 2},
		{"ic_personalization_equipment_id", c.ICPersonalizationEquipment, 4},
	}
	out := make([]byte, 0, 42)
	for _, f := range fields {
		switch len(f.v) {
		case 0:
			out = append(out, make([]byte, f.n)...)
		case f.n:
			out = append(out, f.v...)
		default:
			return nil, fmt.Errorf("cplc.%s: want %d bytes, got %d", f.name, f.n, len(f.v))
		}
	}
	return out, nil
}
