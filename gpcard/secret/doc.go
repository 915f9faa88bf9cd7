// Package secret holds the one type for key material in cardhost: Key, which
// redacts itself wherever it could be printed (fmt, slog, JSON, text) and can be
// wiped with Zero.
//
// It is a leaf package (standard library only). Raw bytes leave a Key only
// through Bytes or Use, which crypto code calls just before a cipher needs them;
// everything else (logs, errors, API responses) names a key by KVN and KCV.
package secret
