package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Plans stores catalog plans. Keys (see docs/access-patterns.md):
//
//	plan        PK=PLAN#<id>        SK=PLAN
//	            GSI1PK=PLANS#<status>  GSI1SK=<type>#<sort:06d>#<slug>  (public listing)
//	            GSI2PK=PLANS           GSI2SK=<type>#<sort:06d>#<slug>  (admin listing)
//	slug owner  PK=PLANSLUG#<slug>  SK=UNIQUE  owner=<id>
type Plans struct{ t *Table }

var _ catalog.Store = (*Plans)(nil)

// NewPlans returns the plan store on t.
func NewPlans(t *Table) *Plans { return &Plans{t: t} }

type planRecord struct {
	Item
	ID              string                             `dynamodbav:"id"`
	Slug            string                             `dynamodbav:"slug"`
	Name            string                             `dynamodbav:"name"`
	Description     string                             `dynamodbav:"description"`
	ServiceType     string                             `dynamodbav:"service_type"`
	Prices          map[string]map[catalog.Cycle]int64 `dynamodbav:"prices"`
	Features        featuresData                       `dynamodbav:"features"`
	Stock           *int64                             `dynamodbav:"stock"`
	Status          string                             `dynamodbav:"status"`
	SortOrder       int64                              `dynamodbav:"sort_order"`
	Badge           string                             `dynamodbav:"badge"`
	GatewayPriceIDs map[string]string                  `dynamodbav:"gateway_price_ids"`
	Approval        bool                               `dynamodbav:"requires_approval"`
	Metering        meteringData                       `dynamodbav:"metering"`
	CreatedAt       time.Time                          `dynamodbav:"created_at"`
	UpdatedAt       time.Time                          `dynamodbav:"updated_at"`
}

type uniqueRecord struct {
	Item
	Owner string `dynamodbav:"owner"`
}

func planKey(id string) Key { return Key{PK: "PLAN#" + id, SK: "PLAN"} }

// catalogKey counts the catalog's edits: every plan create, edit and
// delete adds one in its own transaction, so a listing cached in any
// function can tell with one read that it is stale. Stock moves leave it
// alone — every checkout would contend on this one item — and cached
// listings age out instead (catalog.PublicTTL).
func catalogKey() Key { return Key{PK: "CATALOG", SK: "GENERATION"} }

type generationRecord struct {
	Item
	Generation int64 `dynamodbav:"generation"`
}

func bumpCatalog() Op { return Tally(catalogKey(), "generation", "catalog_generation", 0) }

// Generation implements catalog.Store: the catalog's edit count, and the
// plan writes this process made (which cover stock moves made here).
func (s *Plans) Generation(ctx context.Context) (string, error) {
	local := s.t.planWrites.Load()
	var r generationRecord
	if err := s.t.Get(ctx, catalogKey(), &r); err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", fmt.Errorf("catalog generation: %w", err)
	}
	return fmt.Sprintf("%d.%d", r.Generation, local), nil
}

func slugKey(slug string) Key { return Key{PK: "PLANSLUG#" + slug, SK: "UNIQUE"} }

func toPlanRecord(p *catalog.Plan) *planRecord {
	order := fmt.Sprintf("%s#%06d#%s", p.ServiceType, p.SortOrder, p.Slug)
	return &planRecord{
		Item: Item{
			PK: "PLAN#" + p.ID, SK: "PLAN", Type: "plan", Version: p.Version,
			GSI1PK: "PLANS#" + string(p.Status), GSI1SK: order,
			GSI2PK: "PLANS", GSI2SK: order,
		},
		ID: p.ID, Slug: p.Slug, Name: p.Name, Description: p.Description,
		ServiceType: string(p.ServiceType), Prices: p.Prices, Features: featuresDataOf(p.Features), Stock: p.Stock,
		Status: string(p.Status), SortOrder: p.SortOrder, Badge: string(p.Badge),
		GatewayPriceIDs: p.GatewayPriceIDs, Approval: p.RequiresApproval, Metering: meteringData(p.Metering), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

func (r *planRecord) plan() *catalog.Plan {
	p := &catalog.Plan{
		ID: r.ID, Slug: r.Slug, Name: r.Name, Description: r.Description,
		ServiceType: catalog.ServiceType(r.ServiceType), Prices: r.Prices, Features: r.Features.value(),
		Stock: r.Stock, Status: catalog.Status(r.Status), SortOrder: r.SortOrder, Badge: catalog.Badge(r.Badge),
		GatewayPriceIDs: r.GatewayPriceIDs, RequiresApproval: r.Approval, Metering: catalog.Metering(r.Metering), Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if p.Prices == nil {
		p.Prices = catalog.Prices{}
	}
	if p.GatewayPriceIDs == nil {
		p.GatewayPriceIDs = map[string]string{}
	}
	if p.Features.Locations == nil {
		p.Features.Locations = []string{}
	}
	return p
}

func slugOwner(slug, id string) *uniqueRecord {
	k := slugKey(slug)
	return &uniqueRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "unique", Version: 1}, Owner: id}
}

var errSlugTaken = apperr.Validation(map[string]string{"slug": "is already used by another plan"})

func slugConflict(err error, slugOp int) error {
	if c, ok := errors.AsType[*TxConflict](err); ok && c.FailedAt(slugOp) {
		return &apperr.Error{Code: apperr.Conflict, Message: "a plan with this slug already exists", Fields: errSlugTaken.Fields, Err: err}
	}
	return err
}

// CreatePlan implements catalog.Store.
func (s *Plans) CreatePlan(ctx context.Context, p *catalog.Plan) error {
	err := s.t.Transact(ctx, Create(toPlanRecord(p)), Create(slugOwner(p.Slug, p.ID)), bumpCatalog())
	return slugConflict(err, 1)
}

// GetPlan implements catalog.Store.
func (s *Plans) GetPlan(ctx context.Context, id string) (*catalog.Plan, error) {
	var r planRecord
	if err := s.t.Get(ctx, planKey(id), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "plan %s not found", id)
		}
		return nil, err
	}
	return r.plan(), nil
}

// UpdatePlan implements catalog.Store. A slug change moves the slug's
// uniqueness item in the same transaction as the plan.
func (s *Plans) UpdatePlan(ctx context.Context, id string, fn func(*catalog.Plan) error) (*catalog.Plan, error) {
	var out *catalog.Plan
	_, err := Update(ctx, s.t, planKey(id), func(r *planRecord) ([]Op, error) {
		p := r.plan()
		oldSlug := p.Slug
		if err := fn(p); err != nil {
			return nil, err
		}
		*r = *toPlanRecord(p)
		r.Version = p.Version
		out = p
		if p.Slug == oldSlug {
			return []Op{bumpCatalog()}, nil
		}
		return []Op{Delete(slugKey(oldSlug), "owner", id), Create(slugOwner(p.Slug, id)), bumpCatalog()}, nil
	})
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "plan %s not found", id)
		}
		return nil, slugConflict(err, 2)
	}
	out.Version++
	return out, nil
}

// DeletePlan implements catalog.Store.
func (s *Plans) DeletePlan(ctx context.Context, id string, version int64) error {
	p, err := s.GetPlan(ctx, id)
	if err != nil {
		return err
	}
	if p.Version != version {
		return apperr.New(apperr.Conflict, "the plan was changed by someone else (version %d, you sent %d); reload and try again", p.Version, version)
	}
	return s.t.Transact(ctx, DeleteVersioned(planKey(id), version), Delete(slugKey(p.Slug), "owner", id), bumpCatalog())
}

// ListPlans implements catalog.Store with one query (more only past 1 MB).
// Items come back in GSI sort-key order; the catalog orders them for display.
func (s *Plans) ListPlans(ctx context.Context, status catalog.Status, t catalog.ServiceType) ([]catalog.Plan, error) {
	q := Query{Index: GSI2, PK: "PLANS"}
	if status != "" {
		q = Query{Index: GSI1, PK: "PLANS#" + string(status)}
	}
	if t != "" {
		q.SKPrefix = string(t) + "#"
	}
	recs, err := QueryAll[planRecord](ctx, s.t, q, 0)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	plans := make([]catalog.Plan, 0, len(recs))
	for i := range recs {
		plans = append(plans, *recs[i].plan())
	}
	return plans, nil
}

// SetStock implements catalog.Store: one conditional update on the stock
// attribute itself, so it never undoes a reservation made after the read.
func (s *Plans) SetStock(ctx context.Context, id string, from, to int64) error {
	_, err := s.t.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.t.name,
		Key:                       planKey(id).av(),
		UpdateExpression:          aws.String("SET #s = :to"),
		ConditionExpression:       aws.String("#s = :from"),
		ExpressionAttributeNames:  map[string]string{"#s": "stock"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": numAV(to), ":from": numAV(from)},
	})
	if err != nil {
		return classify(err, "set stock of "+id)
	}
	return nil
}
