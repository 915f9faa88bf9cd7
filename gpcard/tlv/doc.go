// Package tlv encodes and decodes the BER-TLV subset that GlobalPlatform uses
// (ISO/IEC 7816-4 §5.2, ISO/IEC 8825-1 §8.1): tags of one to four bytes,
// definite lengths of one to five bytes, primitive and constructed data
// objects. It also holds the length-value (LV) helpers of INSTALL and LOAD.
//
// It is a leaf package (standard library only): the host command layer and
// the card simulator both parse card data with it, so it sits below both on
// the path reader → channel → command → parser.
//
// Parse consumes all of its input, copies every slice it keeps and never
// panics; errors name the offset of the offending byte.
package tlv
