package deploy_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// functionCode is a CloudFront function's code from the template, with
// !Sub's variables given values.
func functionCode(t *testing.T, tpl template, id string, vars map[string]string) string {
	t.Helper()
	var props struct {
		FunctionCode yaml.Node `yaml:"FunctionCode"`
	}
	node := tpl.Resources[id].Properties
	if err := node.Decode(&props); err != nil {
		t.Fatal(err)
	}
	n := &props.FunctionCode
	if n.Kind == yaml.SequenceNode { // !Sub [code, {vars}]
		n = n.Content[0]
	}
	code := n.Value
	for k, v := range vars {
		code = strings.ReplaceAll(code, "${"+k+"}", v)
	}
	return code
}

// The apps' routing at CloudFront does what the local server does: a path
// that is not a file serves the app's shell, a missing asset stays a 404
// (its path is left alone), the site sends another app's paths to that
// app's domain with the query kept, and a bare app domain opens its app.
// The functions run in Node as CloudFront's runtime would call them.
func TestSpaRoutesAtCloudFront(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is required (the web build needs it too)")
	}
	tpl := load(t)
	hosts := map[string]string{"AccountHost": "account.example.com", "AdminHost": "admin.example.com"}
	type want struct{ URI, Location string }
	cases := map[string]map[string]want{
		"SiteRoutes": {
			"/":                                     {URI: "/index.html"},
			"/plans/vps":                            {URI: "/index.html"},
			"/assets/app-1a2b.js":                   {URI: "/assets/app-1a2b.js"},
			"/favicon.svg":                          {URI: "/favicon.svg"},
			"/account/order?plan=vps&cycle=monthly": {Location: "https://account.example.com/account/order?plan=vps&cycle=monthly"},
			"/admin/":                               {Location: "https://admin.example.com/admin/"},
		},
		"AccountRoutes": {
			"/":                       {Location: "/account/"},
			"/account/":               {URI: "/account/index.html"},
			"/account/services/svc_1": {URI: "/account/index.html"},
			"/account/assets/x-9.css": {URI: "/account/assets/x-9.css"},
			"/account/assets/missing": {URI: "/account/assets/missing"},
		},
		"AdminRoutes": {
			"/orders":          {Location: "/admin/"},
			"/admin/tickets/1": {URI: "/admin/index.html"},
		},
	}
	for id, paths := range cases {
		dir := t.TempDir()
		script := functionCode(t, tpl, id, hosts) + `
const out = {};
for (const p of JSON.parse(process.argv[2])) {
  const [uri, q] = p.split('?');
  const querystring = {};
  for (const kv of (q ? q.split('&') : [])) { const [k, v] = kv.split('='); querystring[k] = { value: v }; }
  const r = handler({ request: { uri, querystring, headers: {} } });
  out[p] = r.statusCode ? { Location: r.headers.location.value } : { URI: r.uri };
}
console.log(JSON.stringify(out));
`
		file := filepath.Join(dir, "fn.js")
		if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
			t.Fatal(err)
		}
		var list []string
		for p := range paths {
			list = append(list, p)
		}
		arg, _ := json.Marshal(list)
		raw, err := exec.Command("node", file, string(arg)).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", id, err, raw)
		}
		var got map[string]want
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%s: %s", id, raw)
		}
		for p, w := range paths {
			if got[p] != w {
				t.Errorf("%s %s: got %+v, want %+v", id, p, got[p], w)
			}
		}
	}
}
