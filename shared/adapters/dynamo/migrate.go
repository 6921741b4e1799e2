package dynamo

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// SchemaVersion is the layout every item is written in, stored in its
// "schema" attribute. Layout 1 (no attribute) is what the platform wrote
// before explicit records: most entities under their Go field names
// (CustomerID, PlanID), which a rename in the domain would have changed.
// Layout 2 is the records in records_*.go, whose `dynamodbav` tags are
// the stored names and whose `v1` tags are the names layout 1 used.
const SchemaVersion = 2

const schemaAttr = "schema"

var schemaAV = numAV(SchemaVersion)

// layouts is the record each item type is stored as. Only types written in
// layout 1 need to be here; the migration refuses an old item of any other.
var layouts = map[string]reflect.Type{
	"order":                reflect.TypeFor[orderRecord](),
	"subscription":         reflect.TypeFor[subscriptionRecord](),
	"payment":              reflect.TypeFor[paymentRecord](),
	"cancellation_survey":  reflect.TypeFor[surveyRecord](),
	"plan_change":          reflect.TypeFor[changeRecord](),
	"payment_method":       reflect.TypeFor[paymentMethodRecord](),
	"billing_account":      reflect.TypeFor[billingRecord](),
	"webhook_event":        reflect.TypeFor[eventRecord](),
	"outbox":               reflect.TypeFor[outboxRecord](),
	"invoice":              reflect.TypeFor[invoiceRecord](),
	"tax_rate":             reflect.TypeFor[taxRateRecord](),
	"coupon":               reflect.TypeFor[couponRecord](),
	"coupon_uses":          reflect.TypeFor[usesRecord](),
	"coupon_customer_uses": reflect.TypeFor[customerUsesRecord](),
	"coupon_redemption":    reflect.TypeFor[redemptionRecord](),
	"service":              reflect.TypeFor[serviceRecord](),
	"service_log":          reflect.TypeFor[serviceLogRecord](),
	"audit":                reflect.TypeFor[auditRecord](),
	"user":                 reflect.TypeFor[userRecord](),
	"session":              reflect.TypeFor[sessionRecord](),
	"token":                reflect.TypeFor[tokenRecord](),
	"api_token":            reflect.TypeFor[apiTokenRecord](),
	"passkey":              reflect.TypeFor[passkeyRecord](),
	"ceremony":             reflect.TypeFor[ceremonyRecord](),
	"failures":             reflect.TypeFor[failsRecord](),
	"notification":         reflect.TypeFor[messageRecord](),
	"template":             reflect.TypeFor[templateRecord](),
	"plan":                 reflect.TypeFor[planRecord](),
	"unique":               reflect.TypeFor[uniqueRecord](),
	"gateway_customer":     reflect.TypeFor[uniqueRecord](),
	"catalog_generation":   reflect.TypeFor[generationRecord](),
	"seed":                 reflect.TypeFor[Item](),
	// Two kinds share the name: invoice number series and rate limits.
	"counter": reflect.TypeFor[struct {
		Item
		Seq   int64 `dynamodbav:"seq"`
		Count int64 `dynamodbav:"count"`
	}](),
}

// Scanner reads a whole table, page by page.
type Scanner interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Migrate rewrites every item stored in an older layout in the current one
// and returns how many it rewrote; items already current are left alone,
// so running it again does nothing. Each rewrite is conditional on the
// item being as it was read (same version, still old), and a lost race is
// read again, so writers running meanwhile lose nothing. An old item that
// cannot be mapped completely (an unknown type, or an attribute with a
// value and no place in its record) stops the migration with an error
// rather than being rewritten without it.
func (t *Table) Migrate(ctx context.Context, scan Scanner) (int, error) {
	n := 0
	in := &dynamodb.ScanInput{TableName: &t.name, ConsistentRead: aws.Bool(true)}
	for {
		page, err := scan.Scan(ctx, in)
		if err != nil {
			return n, classify(err, "scan for migration")
		}
		for _, item := range page.Items {
			done, err := t.migrateItem(ctx, item)
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return n, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

func (t *Table) migrateItem(ctx context.Context, item map[string]types.AttributeValue) (bool, error) {
	for attempt := 1; ; attempt++ {
		if _, current := item[schemaAttr]; current {
			return false, nil
		}
		next, err := upgradeV1(item)
		if err != nil {
			return false, err
		}
		put := &dynamodb.PutItemInput{TableName: &t.name, Item: next,
			ConditionExpression:      aws.String("attribute_not_exists(#schema) AND attribute_not_exists(#v)"),
			ExpressionAttributeNames: map[string]string{"#schema": schemaAttr, "#v": "version"}}
		if v, ok := item["version"]; ok {
			put.ConditionExpression = aws.String("attribute_not_exists(#schema) AND #v = :v")
			put.ExpressionAttributeValues = map[string]types.AttributeValue{":v": v}
		}
		_, err = t.api.PutItem(ctx, put)
		if err == nil {
			return true, nil
		}
		if err = classify(err, "migrate "+keyString(item)); !apperr.Is(err, apperr.Conflict) || attempt == maxAttempts {
			return false, err
		}
		res, err := t.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: &t.name, Key: keyOf(item), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return false, classify(err, "migrate "+keyString(item))
		}
		if res.Item == nil {
			return false, nil // deleted meanwhile
		}
		item = res.Item
	}
}

// upgradeV1 renames a layout-1 item's attributes to the current names.
func upgradeV1(item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	typ, _ := item["type"].(*types.AttributeValueMemberS)
	if typ == nil {
		return nil, fmt.Errorf("migrate %s: an item without a type", keyString(item))
	}
	rt, ok := layouts[typ.Value]
	if !ok {
		return nil, fmt.Errorf("migrate %s: no record for type %q", keyString(item), typ.Value)
	}
	out, err := rename(item, rt, typ.Value)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", keyString(item), err)
	}
	out[schemaAttr] = schemaAV
	return out, nil
}

// rename maps the attributes of m from each field's old name (its v1 tag,
// else its stored name) to its stored name, nested records included.
// Attributes with no field are dropped only when they hold a zero value:
// layout 1 also stored a second, always-zero Version and, on coupon count
// items, a whole empty coupon.
func rename(m map[string]types.AttributeValue, rt reflect.Type, where string) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(m))
	used := map[string]bool{}
	for _, f := range storedFields(rt) {
		v, ok := m[f.old]
		if !ok {
			continue
		}
		used[f.old] = true
		var err error
		if v, err = renameNested(v, f.typ, where+"."+f.name); err != nil {
			return nil, err
		}
		out[f.name] = v
	}
	for k, v := range m {
		if !used[k] && !zeroAV(v) {
			return nil, fmt.Errorf("%s: attribute %q has a value and no field in the record", where, k)
		}
	}
	return out, nil
}

func renameNested(v types.AttributeValue, ft reflect.Type, where string) (types.AttributeValue, error) {
	for ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	switch {
	case isRecordStruct(ft):
		if mv, ok := v.(*types.AttributeValueMemberM); ok {
			inner, err := rename(mv.Value, ft, where)
			return &types.AttributeValueMemberM{Value: inner}, err
		}
	case ft.Kind() == reflect.Slice && isRecordStruct(ft.Elem()):
		if lv, ok := v.(*types.AttributeValueMemberL); ok {
			list := make([]types.AttributeValue, len(lv.Value))
			for i, e := range lv.Value {
				var err error
				if list[i], err = renameNested(e, ft.Elem(), fmt.Sprintf("%s[%d]", where, i)); err != nil {
					return nil, err
				}
			}
			return &types.AttributeValueMemberL{Value: list}, nil
		}
	}
	return v, nil
}

func isRecordStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]()
}

type storedField struct {
	name, old string
	typ       reflect.Type
}

// storedFields lists a record's attributes as attributevalue encodes them:
// embedded untagged structs are flattened, "-" is skipped, an empty name
// is the Go name.
func storedFields(rt reflect.Type) []storedField {
	var out []storedField
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := f.Tag.Get("dynamodbav")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, storedFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		old := name
		if v1, ok := f.Tag.Lookup("v1"); ok {
			old = v1
		}
		out = append(out, storedField{name: name, old: old, typ: f.Type})
	}
	return out
}

func zeroAV(v types.AttributeValue) bool {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value == "" || v.Value == "0001-01-01T00:00:00Z" // time.Time{}
	case *types.AttributeValueMemberN:
		return v.Value == "0"
	case *types.AttributeValueMemberBOOL:
		return !v.Value
	case *types.AttributeValueMemberNULL:
		return true
	case *types.AttributeValueMemberB:
		return len(v.Value) == 0
	case *types.AttributeValueMemberM:
		return len(v.Value) == 0
	case *types.AttributeValueMemberL:
		return len(v.Value) == 0
	}
	return false
}

func keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]}
}

func keyString(item map[string]types.AttributeValue) string {
	s := func(k string) string {
		if v, ok := item[k].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return "?"
	}
	return s("PK") + "/" + s("SK")
}
