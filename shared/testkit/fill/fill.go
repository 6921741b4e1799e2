// Package fill sets every field of a value, however deeply nested, to a
// distinct non-zero value. Storage tests use it so that a field the
// adapter forgets to map (or maps under a second name) cannot hide behind
// a zero value that happens to round-trip.
package fill

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// Fill sets *v (a pointer to anything) from seed. The same seed and type
// always give the same value. Slices and maps get two entries, pointers a
// value, times distinct UTC instants with nanoseconds, json.RawMessage a
// small valid document.
func Fill(v any, seed int) {
	f := &filler{n: seed * 1000}
	f.fill(reflect.ValueOf(v).Elem())
}

type filler struct{ n int }

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

func (f *filler) next() int { f.n++; return f.n }

func (f *filler) fill(v reflect.Value) {
	switch {
	case v.Type() == timeType:
		n := f.next()
		v.Set(reflect.ValueOf(time.Date(2026, 1, 1, 0, 0, n, n*1001, time.UTC)))
		return
	case v.Type() == rawType:
		v.SetBytes(fmt.Appendf(nil, `{"n":%d}`, f.next()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next() % 100))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.next() % 100))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.next()) + 0.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			f.fill(s.Index(i))
		}
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i))
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k)
			f.fill(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	default:
		panic(fmt.Sprintf("fill: cannot fill a %s", v.Type()))
	}
}

// Plain is v as maps, slices and strings keyed by Go field names, tags
// ignored, pointers followed: what a value holds, for comparing values
// across a storage change (JSON would skip fields tagged "-").
func Plain(v any) any { return plain(reflect.ValueOf(v)) }

func plain(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == timeType {
		return v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				m[v.Type().Field(i).Name] = plain(v.Field(i))
			}
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return fmt.Sprintf("%x", v.Bytes())
		}
		s := make([]any, v.Len())
		for i := range s {
			s[i] = plain(v.Index(i))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := map[string]any{}
		for it := v.MapRange(); it.Next(); {
			m[fmt.Sprint(it.Key().Interface())] = plain(it.Value())
		}
		return m
	default:
		return fmt.Sprint(v.Interface())
	}
}
