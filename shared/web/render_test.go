package web

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTheFunctionKeepsDeadCodeElimination: the standard library's text/template calls methods
// by name (reflect.Value.MethodByName), which makes the linker keep every exported method of
// every type in the program: the web function's bootstrap grew from 14 to 21 MB, over the
// 15 MB budget. The pages render with DataDog's copy of html/template, the same code with
// method calls removed; nothing linked into the function may call methods by name again.
func TestTheFunctionKeepsDeadCodeElimination(t *testing.T) {
	if testing.Short() {
		t.Skip("links the function")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-o", bin, "../../functions/web")
	build.Env = append(build.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).CombinedOutput()
	if err != nil {
		t.Fatalf("nm: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[1] == "T" && (f[2] == "reflect.Value.MethodByName" || f[2] == "reflect.(*rtype).MethodByName") {
			t.Errorf("the web function links %s: the linker keeps every exported method of every type", f[2])
		}
	}
}
