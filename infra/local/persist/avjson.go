package persist

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The snapshot stores items in DynamoDB's own JSON wire format
// ({"S": "x"}, {"N": "1"}, {"M": {...}}), which keeps every type exact.

type wireAV map[string]json.RawMessage

func encodeItem(item map[string]types.AttributeValue) (map[string]any, error) {
	out := make(map[string]any, len(item))
	for k, v := range item {
		e, err := encodeAV(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = e
	}
	return out, nil
}

func encodeAV(v types.AttributeValue) (map[string]any, error) {
	switch t := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": t.Value}, nil
	case *types.AttributeValueMemberN:
		return map[string]any{"N": t.Value}, nil
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": t.Value}, nil
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}, nil
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(t.Value)}, nil
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": t.Value}, nil
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": t.Value}, nil
	case *types.AttributeValueMemberBS:
		bs := make([]string, len(t.Value))
		for i, b := range t.Value {
			bs[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": bs}, nil
	case *types.AttributeValueMemberL:
		l := make([]any, len(t.Value))
		for i, e := range t.Value {
			enc, err := encodeAV(e)
			if err != nil {
				return nil, err
			}
			l[i] = enc
		}
		return map[string]any{"L": l}, nil
	case *types.AttributeValueMemberM:
		m, err := encodeItem(t.Value)
		if err != nil {
			return nil, err
		}
		return map[string]any{"M": m}, nil
	}
	return nil, fmt.Errorf("unsupported attribute type %T", v)
}

func decodeItem(raw map[string]wireAV) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(raw))
	for k, v := range raw {
		av, err := decodeAV(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", k, err)
		}
		out[k] = av
	}
	return out, nil
}

func decodeAV(w wireAV) (types.AttributeValue, error) {
	if len(w) != 1 {
		return nil, fmt.Errorf("want exactly one type tag, got %d", len(w))
	}
	for tag, raw := range w {
		switch tag {
		case "S", "N":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			if tag == "S" {
				return &types.AttributeValueMemberS{Value: s}, nil
			}
			return &types.AttributeValueMemberN{Value: s}, nil
		case "BOOL":
			var b bool
			err := json.Unmarshal(raw, &b)
			return &types.AttributeValueMemberBOOL{Value: b}, err
		case "NULL":
			return &types.AttributeValueMemberNULL{Value: true}, nil
		case "B":
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return &types.AttributeValueMemberB{Value: b}, err
		case "SS", "NS", "BS":
			var l []string
			if err := json.Unmarshal(raw, &l); err != nil {
				return nil, err
			}
			switch tag {
			case "SS":
				return &types.AttributeValueMemberSS{Value: l}, nil
			case "NS":
				return &types.AttributeValueMemberNS{Value: l}, nil
			}
			bs := make([][]byte, len(l))
			for i, s := range l {
				b, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					return nil, err
				}
				bs[i] = b
			}
			return &types.AttributeValueMemberBS{Value: bs}, nil
		case "L":
			var l []wireAV
			if err := json.Unmarshal(raw, &l); err != nil {
				return nil, err
			}
			out := make([]types.AttributeValue, len(l))
			for i, e := range l {
				av, err := decodeAV(e)
				if err != nil {
					return nil, err
				}
				out[i] = av
			}
			return &types.AttributeValueMemberL{Value: out}, nil
		case "M":
			var m map[string]wireAV
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, err
			}
			item, err := decodeItem(m)
			return &types.AttributeValueMemberM{Value: item}, err
		}
		return nil, fmt.Errorf("unknown type tag %q", tag)
	}
	panic("unreachable")
}

// record is one journal line: the items a write left and the keys it
// deleted. A compacted journal holds plain items, one per line, which read
// as records of one put (the format of the snapshots written before the
// journal existed, so old data directories open unchanged).
type record struct {
	puts []map[string]types.AttributeValue
	dels []map[string]types.AttributeValue
}

type wireRecord struct {
	Put []map[string]any `json:"put,omitempty"`
	Del []map[string]any `json:"del,omitempty"`
}

func encodeLine(r record) ([]byte, error) {
	var w wireRecord
	for _, item := range r.puts {
		enc, err := encodeItem(item)
		if err != nil {
			return nil, err
		}
		w.Put = append(w.Put, enc)
	}
	for _, key := range r.dels {
		enc, err := encodeItem(key)
		if err != nil {
			return nil, err
		}
		w.Del = append(w.Del, enc)
	}
	b, err := json.Marshal(w)
	return append(b, '\n'), err
}

func encodeItemLine(item map[string]types.AttributeValue) ([]byte, error) {
	enc, err := encodeItem(item)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(enc)
	return append(b, '\n'), err
}

func decodeLine(line []byte) (record, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		return record{}, err
	}
	if _, plain := top["PK"]; plain {
		var raw map[string]wireAV
		if err := json.Unmarshal(line, &raw); err != nil {
			return record{}, err
		}
		item, err := decodeItem(raw)
		return record{puts: []map[string]types.AttributeValue{item}}, err
	}
	var w struct {
		Put []map[string]wireAV `json:"put"`
		Del []map[string]wireAV `json:"del"`
	}
	if err := json.Unmarshal(line, &w); err != nil {
		return record{}, err
	}
	if len(w.Put)+len(w.Del) == 0 || len(top) > 2 {
		return record{}, fmt.Errorf("neither an item nor a journal record")
	}
	var r record
	for _, raw := range w.Put {
		item, err := decodeItem(raw)
		if err != nil {
			return record{}, err
		}
		r.puts = append(r.puts, item)
	}
	for _, raw := range w.Del {
		key, err := decodeItem(raw)
		if err != nil {
			return record{}, err
		}
		r.dels = append(r.dels, key)
	}
	return r, nil
}

// EncodeItem is an item in DynamoDB's JSON wire format, as DynamoDB's
// table exports write it.
func EncodeItem(item map[string]types.AttributeValue) (map[string]any, error) {
	return encodeItem(item)
}

// DecodeItem reads an item in DynamoDB's JSON wire format.
func DecodeItem(raw json.RawMessage) (map[string]types.AttributeValue, error) {
	var w map[string]wireAV
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	return decodeItem(w)
}
