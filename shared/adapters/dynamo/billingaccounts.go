package dynamo

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// A customer's billing account (currency, gateway customer ids, default
// card), the way back from a gateway's customer id, and saved cards.

type billingRecord struct {
	Item
	Currency  string            `dynamodbav:"currency,omitempty"`
	Customers map[string]string `dynamodbav:"gateway_customers,omitempty"`
	DefaultPM string            `dynamodbav:"default_pm,omitempty"`
}

type paymentMethodRecord struct {
	Item
	paymentMethodData
}

func pmKey(gw, id string) Key { return Key{PK: "PM#" + gw + "#" + id, SK: "PM"} }

// Account implements orders.Store.
func (s *Orders) Account(ctx context.Context, customerID string) (orders.Account, error) {
	var r billingRecord
	if err := s.t.Get(ctx, billKey(customerID), &r); err != nil && !apperr.Is(err, apperr.NotFound) {
		return orders.Account{}, err
	}
	return orders.Account{Currency: r.Currency, GatewayCustomers: r.Customers, DefaultPaymentMethod: r.DefaultPM}, nil
}

// SetGatewayCustomer implements orders.Store: the first id stored wins.
func (s *Orders) SetGatewayCustomer(ctx context.Context, customerID, gateway, id string) (string, error) {
	err := s.t.Write(ctx, Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 &t.name,
			Key:                       billKey(customerID).av(),
			UpdateExpression:          aws.String("SET #m = if_not_exists(#m, :empty), #type = :type, #schema = :schema"),
			ExpressionAttributeNames:  map[string]string{"#m": "gateway_customers", "#type": "type", "#schema": schemaAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}}, ":type": &types.AttributeValueMemberS{Value: "billing_account"}, ":schema": schemaAV},
		}}, nil
	}})
	if err != nil {
		return "", err
	}
	err = s.t.Write(ctx, Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 &t.name,
			Key:                       billKey(customerID).av(),
			UpdateExpression:          aws.String("SET #m.#g = :id"),
			ConditionExpression:       aws.String("attribute_not_exists(#m.#g)"),
			ExpressionAttributeNames:  map[string]string{"#m": "gateway_customers", "#g": gateway},
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}},
		}}, nil
	}})
	if err != nil && !apperr.Is(err, apperr.Conflict) {
		return "", err
	}
	return s.storedGatewayCustomer(ctx, customerID, gateway)
}

// storedGatewayCustomer reads the gateway customer id that won and writes
// the way back from the gateway's events to us (rewriting it is harmless).
func (s *Orders) storedGatewayCustomer(ctx context.Context, customerID, gateway string) (string, error) {
	acct, err := s.Account(ctx, customerID)
	if err != nil {
		return "", err
	}
	stored := acct.GatewayCustomers[gateway]
	owner := &uniqueRecord{Item: Item{PK: "GWCUS#" + gateway + "#" + stored, SK: "UNIQUE", Type: "gateway_customer", Version: 1}, Owner: customerID}
	if err := s.t.Write(ctx, Put(owner)); err != nil {
		return "", err
	}
	return stored, nil
}

// ReplaceGatewayCustomer implements orders.Store.
func (s *Orders) ReplaceGatewayCustomer(ctx context.Context, customerID, gateway, old, next string) (string, error) {
	err := s.t.Write(ctx, Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 &t.name,
			Key:                       billKey(customerID).av(),
			UpdateExpression:          aws.String("SET #m.#g = :next"),
			ConditionExpression:       aws.String("#m.#g = :old"),
			ExpressionAttributeNames:  map[string]string{"#m": "gateway_customers", "#g": gateway},
			ExpressionAttributeValues: map[string]types.AttributeValue{":next": &types.AttributeValueMemberS{Value: next}, ":old": &types.AttributeValueMemberS{Value: old}},
		}}, nil
	}})
	if err != nil && !apperr.Is(err, apperr.Conflict) {
		return "", err
	}
	return s.storedGatewayCustomer(ctx, customerID, gateway)
}

// CustomerByGateway implements orders.Store.
func (s *Orders) CustomerByGateway(ctx context.Context, gateway, id string) (string, error) {
	var r uniqueRecord
	if err := s.t.Get(ctx, Key{PK: "GWCUS#" + gateway + "#" + id, SK: "UNIQUE"}, &r); err != nil {
		return "", err
	}
	return r.Owner, nil
}

// GetPaymentMethod implements orders.Store.
func (s *Orders) GetPaymentMethod(ctx context.Context, gw, id string) (*orders.PaymentMethod, error) {
	var r paymentMethodRecord
	if err := s.t.Get(ctx, pmKey(gw, id), &r); err != nil {
		return nil, err
	}
	pm := r.paymentMethodData.value()
	pm.Version = r.Item.Version
	return &pm, nil
}

// ListPaymentMethods implements orders.Store.
func (s *Orders) ListPaymentMethods(ctx context.Context, customerID string) ([]orders.PaymentMethod, error) {
	recs, err := QueryAll[paymentMethodRecord](ctx, s.t, Query{Index: GSI1, PK: "CUSTPMS#" + customerID}, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]orders.PaymentMethod, 0, len(recs))
	for _, r := range recs {
		pm := r.paymentMethodData.value()
		pm.Version = r.Item.Version
		out = append(out, pm)
	}
	return out, nil
}

// SetDefaultPaymentMethod implements orders.Store.
func (s *Orders) SetDefaultPaymentMethod(ctx context.Context, customerID, id string) error {
	return s.t.Write(ctx, Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 &t.name,
			Key:                       billKey(customerID).av(),
			UpdateExpression:          aws.String("SET #d = :pm, #type = :type, #schema = :schema"),
			ExpressionAttributeNames:  map[string]string{"#d": "default_pm", "#type": "type", "#schema": schemaAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pm": &types.AttributeValueMemberS{Value: id}, ":type": &types.AttributeValueMemberS{Value: "billing_account"}, ":schema": schemaAV},
		}}, nil
	}})
}
