package keystoretest

// Published test vectors (facts), indexed with sources in testdata/README.md
// and restated in shared/spec/vectors.md §2, §4, §5. Row names are
// source + case.
const (
	// keyK is the GlobalPlatform test key 40..4F.
	keyK = "404142434445464748494A4B4C4D4E4F"
	// kaoh scp03Test.c delete_application keys.
	kaohENC = "F995D0A069335C7DF42E590317FFEA6D"
	kaohMAC = "58563362EC5A4541ABCD32B34B1EAE7D"
	kaohDEK = "0A02A6D687406DCFA09DC70B3EDB7E38"
	// kaoh scp03Test.c get_status_aes_192 key (ENC = MAC = DEK).
	kaoh192 = "DE2A3629CBC24E8D8869E82C8B4C0D874D88166B6F8A1C12"
	// GPPro TestPlaintextKeys KDF3 masters: K, K ‖ 50..57, K ‖ 50..5F.
	kdf3Master192 = keyK + "5051525354555657"
	kdf3Master256 = keyK + "505152535455565758595A5B5C5D5E5F"
	// GPPro TestPlaintextKeys KDF3 external vector.
	kdf3ExtMaster = "8C72C72CF908411653018807950D82FBAD947562F0828A0B10B8B9606ABF3BCD"
	kdf3ExtKDD    = "D9B1DE5D0362DEDCE4FB"
	kdf3ExtENC    = "9AAC5D0B3601F89438A0D9D0B6B256CFB47E6462DFA5228D3420C4AC7C224781"
	// GPPro TestPlaintextKeys KDD for EMV, VISA2, KDF3.
	kdd0to9 = "00010203040506070809"
	// GPPro TestPlaintextKeys EMV diversified keys of K for kdd0to9.
	emvENC = "0EF59FCBF8019B62E62AF6EA20B8BF25"
	emvMAC = "3E383EB6F2762B88155F76BDFED05A02"
	emvDEK = "64021E43C0C7D264A1C7C6D01E1C8761"
	// GPPro TestPlaintextKeys VISA2 diversified keys of K for kdd0to9.
	visa2ENC = "8510FC973208218CA86888BCEC203635"
	visa2MAC = "1068B5FB6F06C78C7A4DFC343B21C78F"
	visa2DEK = "2DAEE809C71405FF259C3BE695A1F66E"
	// Split-knowledge components of K used by the ceremony test: the first
	// is arbitrary, the second is K XOR the first.
	componentA = "0123456789ABCDEFFEDCBA9876543210"
	componentB = "41620724CDEE8BA8B695F0D33A197C5F"
)

// secretHex lists every key the suite hands to a store, for the scan of
// errors, String output and logs.
var secretHex = []string{keyK, kaohENC, kaohMAC, kaohDEK, kaoh192, kdf3Master192, kdf3Master256, kdf3ExtMaster, kdf3ExtENC,
	emvENC, emvMAC, emvDEK, visa2ENC, visa2MAC, visa2DEK, componentA, componentB}

// sessionVector is one published set of session keys.
type sessionVector struct {
	name              string
	scp, i, kvn       byte
	seq, host, card   string
	senc, smac, srmac string
}

// scp02Sessions: session keys of K (ENC = MAC = DEK = K).
var scp02Sessions = []sessionVector{
	{name: "kaoh scp02Test.c get_status_mac_only seq 069F", scp: 2, i: 0x15, kvn: 1, seq: "069F",
		senc: "A7E638E94A6AEC1AB596BA9E46FF2B7F", smac: "3D19A0E1F74FFE5260157E1E150AC67E", srmac: "150479C70C359A4505F8EB0716FF00BB"},
	{name: "kaoh scp02Test.c install_mac_enc seq 06A1", scp: 2, i: 0x15, kvn: 1, seq: "06A1",
		senc: "590D31AD3295B85CD5F8056246F03212", smac: "964CD624B47829AAB6C4BEF65827CEC7"},
	{name: "GPPro TestPlaintextKeys SCP02 seq 0000", scp: 2, i: 0x15, kvn: 1, seq: "0000",
		senc: "010B0371D78377B801F2D62AFC671D95", smac: "D1C28C601652A4770D67AD82D2D2E1C4", srmac: "FFAEC7EC7FAD69F9FBFF093BF2F79C45"},
}

// scp03Sessions: session keys of the kaoh keys (KVN 30) or K as AES-128
// (KVN 31) or the AES-192 key (KVN 32), by the entry answering for kvn.
var scp03Sessions = []sessionVector{
	{name: "kaoh scp03Test.c delete_application", scp: 3, i: 0x70, kvn: 0x30, seq: "000015", host: "B2BDE1A2DC66BD56", card: "C40932A6FEFEAEB2",
		senc: "9B841BB63D1087484FF7F16802017243", smac: "8117FE5ADED74AC0DAABE9FB81DBDB67", srmac: "4521D75E4D6F60DBFB8AB4EE254EF6F1"},
	{name: "kaoh scp03Test.c mutual_auth", scp: 3, i: 0x70, kvn: 0x30, seq: "00001E", host: "9BD6BF878FB8E991", card: "3C80C2CC87EB3A35",
		senc: "D83EE38C9954C8078987A5E9EE6AB13C", smac: "6FF37716E0413065E8DFD08BF1E9EC5E", srmac: "0254C786E57ACA8982670C1C1A05FF12"},
	{name: "GPPro TestPlaintextKeys SCP03 context 00..09", scp: 3, i: 0x00, kvn: 0x31, host: "0001020304050607", card: "0809",
		senc: "6C858E63BABC4028EDC67DC9FDBCB04A", smac: "036C5E747D9500229B7C99D225506DDD", srmac: "AD97DA99A96DB51B765277D6E988B1D9"},
	{name: "kaoh scp03Test.c get_status_aes_192", scp: 3, i: 0x10, kvn: 0x32, host: "4157115CAD7D2FE7", card: "726B1E22EED4F4BB",
		senc: "0625452BB6780ACEEAA5D9B55442CC639794555124E4E8D0", smac: "DA84103E89849103BF864F54DC49C28E1BB8F24AE152D4BC"},
}

// divVector is one published diversification: the KCVs of the ENC, MAC
// and DEK keys a master gives a card.
type divVector struct {
	name   string
	typ    string // key type name
	method string
	master string
	kdd    string
	kcvs   [3]string
}

var diversifications = []divVector{
	{"GPPro TestPlaintextKeys EMV", "3DES", "emv", keyK, kdd0to9, [3]string{"C33013", "6F4CA6", "BB8179"}},
	{"GPPro TestPlaintextKeys VISA2", "3DES", "visa2", keyK, kdd0to9, [3]string{"2BE598", "58DA38", "3C328E"}},
	{"GPPro TestPlaintextKeys KDF3 AES-128", "AES-128", "kdf3", keyK, kdd0to9, [3]string{"E79C05", "D1BD77", "3FDE8C"}},
	{"GPPro TestPlaintextKeys KDF3 AES-192", "AES-192", "kdf3", kdf3Master192, kdd0to9, [3]string{"1DE8EA", "47C00C", "C04D76"}},
	{"GPPro TestPlaintextKeys KDF3 AES-256", "AES-256", "kdf3", kdf3Master256, kdd0to9, [3]string{"2972D2", "036F94", "5D57B8"}},
}
