// Package openapi embeds the API's OpenAPI 3.1 document (openapi.yaml, the
// single source the web apps' types are generated from) and serves it as
// JSON.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed openapi.yaml
var source []byte

var (
	once    sync.Once
	asJSON  []byte
	doc     map[string]any
	loadErr error
)

func load() {
	if loadErr = yaml.Unmarshal(source, &doc); loadErr != nil {
		return
	}
	asJSON, loadErr = json.Marshal(doc)
}

// JSON returns the document as JSON.
func JSON() ([]byte, error) {
	once.Do(load)
	return asJSON, loadErr
}

// Operations returns "METHOD /path" for every operation in the document,
// sorted.
func Operations() ([]string, error) {
	once.Do(load)
	if loadErr != nil {
		return nil, loadErr
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("openapi: no paths")
	}
	var ops []string
	for p, item := range paths {
		m, _ := item.(map[string]any)
		for method := range m {
			switch method {
			case "get", "put", "post", "delete", "patch":
				ops = append(ops, strings.ToUpper(method)+" "+p)
			}
		}
	}
	sort.Strings(ops)
	return ops, nil
}

// Permissions returns the x-permission of every operation that has one,
// keyed "METHOD /path".
func Permissions() (map[string]string, error) { return Extension("x-permission") }

// Extension returns the string value of an x- extension on every operation
// that has it, keyed "METHOD /path".
func Extension(name string) (map[string]string, error) {
	once.Do(load)
	if loadErr != nil {
		return nil, loadErr
	}
	out := map[string]string{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		m, _ := item.(map[string]any)
		for method, op := range m {
			o, ok := op.(map[string]any)
			if !ok {
				continue
			}
			if v, ok := o[name].(string); ok {
				out[strings.ToUpper(method)+" "+p] = v
			}
		}
	}
	return out, nil
}
