// Package layout_test holds the import rules of shared/ (see
// docs/architecture.md): the domain speaks only in its own types, and
// each adapter stands alone. The rules are checked on what `go list`
// reports the packages really import.
package layout_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const root = "github.com/ezscale/platform/shared/"

// vendorSDKs are the outside systems' client libraries and the machinery
// of adapters; the domain reaches them only through its own ports.
var vendorSDKs = []string{
	"github.com/aws/", "github.com/awslabs/", "github.com/stripe/", "github.com/plutov/paypal",
	"github.com/elastic/", "github.com/truora/minidyn", "github.com/go-pdf/", "github.com/emersion/",
	"github.com/go-jose/", "github.com/go-webauthn/",
}

// kits are adapter packages that talk to no system themselves but hold
// what a family of adapters shares (every panel adapter's HTTP).
var kits = []string{"adapters/panelhttp"}

// role is the first directory below shared/: domain, adapters, platform,
// api, app or testkit.
func role(pkg string) string {
	r, _, _ := strings.Cut(strings.TrimPrefix(pkg, root), "/")
	return r
}

// unit is the adapter (or domain package) a package belongs to, so an
// adapter's own subpackages (dynamo/dynamotest) count as itself.
func unit(pkg string) string {
	parts := strings.Split(strings.TrimPrefix(pkg, root), "/")
	if len(parts) < 2 {
		return parts[0]
	}
	return parts[0] + "/" + parts[1]
}

// violations lists every broken rule among packages and their imports.
func violations(imports map[string][]string) []string {
	var out []string
	bad := func(pkg, imp, why string) { out = append(out, fmt.Sprintf("%s imports %s: %s", pkg, imp, why)) }
	for pkg, imps := range imports {
		if !strings.HasPrefix(pkg, root) {
			continue
		}
		for _, imp := range imps {
			ours := strings.HasPrefix(imp, root)
			switch role(pkg) {
			case "domain":
				switch {
				case ours && !slices.Contains([]string{"domain", "platform"}, role(imp)):
					bad(pkg, imp, "the domain may import only domain and platform packages")
				case imp == "net/http" || strings.HasPrefix(imp, "net/http/"):
					bad(pkg, imp, "the domain does not speak HTTP")
				case slices.ContainsFunc(vendorSDKs, func(v string) bool { return strings.HasPrefix(imp, v) }):
					bad(pkg, imp, "the domain does not use vendor SDKs")
				}
			case "platform":
				if ours && role(imp) != "platform" {
					bad(pkg, imp, "platform packages stand below everything else")
				}
			case "adapters":
				switch {
				case ours && role(imp) == "adapters" && unit(imp) != unit(pkg) && !slices.Contains(kits, unit(imp)):
					bad(pkg, imp, "an adapter does not import another adapter")
				case ours && slices.Contains([]string{"api", "app", "testkit"}, role(imp)):
					bad(pkg, imp, "an adapter does not import the API, the wiring or test kits")
				}
			case "api":
				if ours && slices.Contains([]string{"app", "testkit"}, role(imp)) {
					bad(pkg, imp, "the API does not import the wiring or test kits")
				}
			case "app", "testkit":
			default:
				bad(pkg, imp, "package outside the roles (domain, adapters, platform, api, app, testkit)")
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", root+"...")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		imports[p.ImportPath] = p.Imports
	}
	if len(imports) < 40 {
		t.Fatalf("go list found %d packages; expected the whole of shared/", len(imports))
	}
	for _, v := range violations(imports) {
		t.Error(v)
	}
}

// The rules themselves, on made-up packages: each broken rule is caught
// and the allowed imports pass.
func TestViolations(t *testing.T) {
	for _, tc := range []struct {
		pkg, imp string
		broken   bool
	}{
		{"domain/orders", "github.com/ezscale/platform/shared/domain/billing", false},
		{"domain/orders", "github.com/ezscale/platform/shared/platform/apperr", false},
		{"domain/orders", "github.com/ezscale/platform/shared/adapters/dynamo", true},
		{"domain/orders", "github.com/ezscale/platform/shared/api/httpx", true},
		{"domain/orders", "github.com/ezscale/platform/shared/app", true},
		{"domain/orders", "net/http", true},
		{"domain/orders", "net/http/httptest", true},
		{"domain/orders", "net/url", false},
		{"domain/orders", "github.com/stripe/stripe-go/v79", true},
		{"domain/orders", "github.com/aws/aws-sdk-go-v2/service/dynamodb", true},
		{"domain/accounts", "github.com/pquerna/otp", false},
		{"platform/text", "github.com/ezscale/platform/shared/domain/money", true},
		{"adapters/dynamo", "github.com/ezscale/platform/shared/domain/orders", false},
		{"adapters/dynamo", "github.com/aws/aws-sdk-go-v2/service/dynamodb", false},
		{"adapters/dynamo/dynamotest", "github.com/ezscale/platform/shared/adapters/dynamo", false},
		{"adapters/smtpmail", "github.com/ezscale/platform/shared/adapters/devmail", true},
		{"adapters/virtfusion", "github.com/ezscale/platform/shared/adapters/panelhttp", false},
		{"adapters/smtpmail", "github.com/ezscale/platform/shared/app", true},
		{"api/httpapi", "github.com/ezscale/platform/shared/adapters/cfaccess", false},
		{"api/httpapi", "github.com/ezscale/platform/shared/app", true},
		{"app", "github.com/ezscale/platform/shared/adapters/stripegw", false},
		{"misc", "fmt", true},
	} {
		got := violations(map[string][]string{root + tc.pkg: {tc.imp}})
		if (len(got) > 0) != tc.broken {
			t.Errorf("%s → %s: violations %q, want broken=%v", tc.pkg, tc.imp, got, tc.broken)
		}
	}
}
