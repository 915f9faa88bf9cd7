package payment

import (
	"github.com/cardhost/cardhost/applet"
	"github.com/cardhost/cardhost/applet/cap"
)

// PackageAID returns the purse's package (Executable Load File) AID,
// A0000006170001, in a new slice.
func PackageAID() []byte { return []byte{0xA0, 0x00, 0x00, 0x06, 0x17, 0x00, 0x01} }

// AppletAID returns the purse's applet (Executable Module) AID,
// A000000617000101, in a new slice. It is also the default instance AID.
func AppletAID() []byte { return []byte{0xA0, 0x00, 0x00, 0x06, 0x17, 0x00, 0x01, 0x01} }

// Register binds the purse module in the purse package to New in r. It
// fails if the module is already registered.
func Register(r *applet.Registry) error {
	return r.Register(PackageAID(), AppletAID(), func() applet.Applet { return New() })
}

// CAPSpec describes the purse's CAP file for cap.Write: a compact CAP
// (format 2.2, JAR form) of package com/cardhost/payment (PackageAID,
// version 1.0) with one applet (AppletAID), importing java.lang 1.0 and
// javacard.framework 1.6. Its code is filler: the simulator runs the Go
// implementation registered by Register. Each call returns new slices.
func CAPSpec() cap.Spec {
	return cap.Spec{
		Form:     cap.FormJAR,
		Format:   cap.Version{Major: 2, Minor: 2},
		Packages: []cap.Package{{AID: PackageAID(), Version: cap.Version{Major: 1, Minor: 0}, Name: "com/cardhost/payment"}},
		Applets:  []cap.Applet{{AID: AppletAID(), InstallMethodOffset: 1}},
		Imports: []cap.Import{
			{AID: []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x00, 0x01}, Version: cap.Version{Major: 1, Minor: 0}}, // java.lang
			{AID: []byte{0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01}, Version: cap.Version{Major: 1, Minor: 6}}, // javacard.framework
		},
		MethodSize: 32,
	}
}

// CAP returns the purse's CAP file, cap.Write(CAPSpec()), ready to load.
func CAP() ([]byte, error) { return cap.Write(CAPSpec()) }
