package main

import (
	"encoding/hex"
	"strings"
)

func hexUpper(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }

// nonNil returns s, or an empty slice for nil, so JSON shows [] not null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// joinComma joins names as gp prints privilege lists.
func joinComma(s []string) string { return strings.Join(s, ", ") }

// plural returns "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
