package deploy_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/api/httpapi"
)

// template is the part of template.yaml these checks read. yaml.v3 keeps
// CloudFormation's short tags (!Ref, !GetAtt) as tagged nodes, which decode
// into the plain fields below without special handling.
type template struct {
	Resources map[string]struct {
		Type       string    `yaml:"Type"`
		Properties yaml.Node `yaml:"Properties"`
	} `yaml:"Resources"`
}

type functionProps struct {
	CodeUri string `yaml:"CodeUri"`
	Events  map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Path   string `yaml:"Path"`
			Method string `yaml:"Method"`
		} `yaml:"Properties"`
	} `yaml:"Events"`
}

type tableProps struct {
	KeySchema              []keyElem `yaml:"KeySchema"`
	GlobalSecondaryIndexes []struct {
		IndexName  string    `yaml:"IndexName"`
		KeySchema  []keyElem `yaml:"KeySchema"`
		Projection struct {
			ProjectionType string `yaml:"ProjectionType"`
		} `yaml:"Projection"`
	} `yaml:"GlobalSecondaryIndexes"`
	TimeToLiveSpecification struct {
		AttributeName string `yaml:"AttributeName"`
		Enabled       bool   `yaml:"Enabled"`
	} `yaml:"TimeToLiveSpecification"`
	BillingMode string `yaml:"BillingMode"`
}

type keyElem struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

func load(t *testing.T) template {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl template
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl
}

func logicalID(function string) string {
	return strings.ToUpper(function[:1]) + function[1:] + "Function"
}

func TestTemplateRoutesEqualRouteTable(t *testing.T) {
	tpl := load(t)
	want := map[string][]string{}
	for _, r := range httpapi.Routes(httpapi.Deps{}) {
		want[logicalID(r.Function)] = append(want[logicalID(r.Function)], r.Method+" "+r.Path)
	}
	got := map[string][]string{}
	for name, res := range tpl.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		var fp functionProps
		if err := res.Properties.Decode(&fp); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for ev, e := range fp.Events {
			if e.Type != "HttpApi" {
				continue
			}
			if e.Properties.Path == "" || e.Properties.Method == "" {
				t.Errorf("%s.%s: HttpApi event without Path or Method (a catch-all would hide routes)", name, ev)
			}
			got[name] = append(got[name], strings.ToUpper(e.Properties.Method)+" "+e.Properties.Path)
		}
	}
	for _, m := range []map[string][]string{want, got} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("template.yaml HttpApi routes differ from shared/httpapi (-go +template):\n%s", diff)
	}
}

func TestTemplateTableMatchesStoreSchema(t *testing.T) {
	tpl := load(t)
	res, ok := tpl.Resources["Table"]
	if !ok || res.Type != "AWS::DynamoDB::Table" {
		t.Fatal("template.yaml has no Table resource")
	}
	var tp tableProps
	if err := res.Properties.Decode(&tp); err != nil {
		t.Fatal(err)
	}
	in := dynamo.CreateTableInput("x")
	keys := func(ks []keyElem) string {
		var s []string
		for _, k := range ks {
			s = append(s, k.AttributeName+":"+k.KeyType)
		}
		return strings.Join(s, ",")
	}
	var goKeys []keyElem
	for _, k := range in.KeySchema {
		goKeys = append(goKeys, keyElem{aws.ToString(k.AttributeName), string(k.KeyType)})
	}
	if keys(tp.KeySchema) != keys(goKeys) {
		t.Errorf("key schema: template %s, store %s", keys(tp.KeySchema), keys(goKeys))
	}
	goIdx := map[string]string{}
	for _, g := range in.GlobalSecondaryIndexes {
		var ks []keyElem
		for _, k := range g.KeySchema {
			ks = append(ks, keyElem{aws.ToString(k.AttributeName), string(k.KeyType)})
		}
		goIdx[aws.ToString(g.IndexName)] = keys(ks) + "/" + string(g.Projection.ProjectionType)
	}
	tplIdx := map[string]string{}
	for _, g := range tp.GlobalSecondaryIndexes {
		tplIdx[g.IndexName] = keys(g.KeySchema) + "/" + g.Projection.ProjectionType
	}
	if diff := cmp.Diff(goIdx, tplIdx); diff != "" {
		t.Errorf("GSIs (-store +template):\n%s", diff)
	}
	if tp.TimeToLiveSpecification.AttributeName != "ttl" || !tp.TimeToLiveSpecification.Enabled {
		t.Errorf("TTL must be enabled on attribute ttl: %+v", tp.TimeToLiveSpecification)
	}
	if tp.BillingMode != string(in.BillingMode) {
		t.Errorf("billing mode: template %s, store %s", tp.BillingMode, in.BillingMode)
	}
}
