package postgres

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPublicKitOnly keeps the package a store any module could write: it
// imports nothing internal to the tokenstore module, only the public kit
// (tokenstore, driver, driver/kvstore; storetest in tests).
func TestPublicKitOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/tokenstore-go/tokenstore/") && strings.Contains(path, "/internal") {
				t.Errorf("%s imports %s, which a store outside the module cannot", name, path)
			}
		}
	}
}
