// Package clip shortens text to the limits of the places it goes (Slack's 3,000-character
// sections and 150-character headers, DynamoDB's item size) without splitting a character.
package clip

import "unicode/utf8"

// Ellipsis marks a cut.
const Ellipsis = "…"

// Runes shortens s to at most n characters (Slack counts its limits in characters), ending in
// Ellipsis when it cut.
func Runes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:n-1]) + Ellipsis
}

// Bytes shortens s to at most n bytes on a character boundary, ending in Ellipsis when it cut.
func Bytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return Prefix(s, n-len(Ellipsis)) + Ellipsis
}

// Prefix is the longest prefix of s of at most n bytes that does not split a character.
func Prefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 {
		r, size := utf8.DecodeLastRuneInString(s)
		if r != utf8.RuneError || size > 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
