package deploy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// AWS SDK clients are made only by an adapter's NewClient (client.go),
// which hands out the client's methods rather than the client. Anywhere
// else, `svc.NewFromConfig(cfg)` passed as an interface links every
// operation of that service into the function (see dynamo.NewClient).
func TestSDKClientsAreMadeByAdapters(t *testing.T) {
	root := filepath.Join("..", "..")
	for _, dir := range []string{"functions", "shared"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testkit" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			allowed := filepath.Base(path) == "client.go" && strings.HasPrefix(rel, filepath.Join("shared", "adapters")+string(filepath.Separator))
			for _, call := range sdkConstructors(t, path) {
				if !allowed {
					t.Errorf("%s: %s; use the adapter's NewClient", rel, call)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// sdkConstructors lists the calls in file of New or NewFromConfig from an
// AWS SDK service package.
func sdkConstructors(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]string{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		svc, ok := strings.CutPrefix(p, "github.com/aws/aws-sdk-go-v2/service/")
		if !ok || strings.Contains(svc, "/") {
			continue
		}
		name := svc
		if imp.Name != nil {
			name = imp.Name.Name
		}
		services[name] = svc
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "New" && sel.Sel.Name != "NewFromConfig") {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && services[id.Name] != "" {
			out = append(out, id.Name+"."+sel.Sel.Name)
		}
		return true
	})
	return out
}
