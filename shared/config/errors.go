package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a config file, located at the YAML node it is about.
type Problem struct {
	// File is the name given to ParseFile ("rituals.yaml" for Parse).
	File string
	// Line and Column are 1-based. Column is 0 for YAML syntax errors, which only know the line.
	Line, Column int
	// Path locates the value in the document, e.g. "teams[0].support.rotation.members[1]";
	// empty for problems with the document as a whole.
	Path string
	// Message says what is wrong and what to write instead.
	Message string
}

// String renders "file:line:col: path: message", the form editors and terminals link.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError is every problem found in a config file, in file order. Parse returns it
// (as error) whenever the file is not usable; there is always at least one problem.
type ValidationError struct {
	Problems []Problem
}

// Error renders one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
