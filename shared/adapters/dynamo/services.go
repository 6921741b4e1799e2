package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Services stores provisioned services and their panel-call logs:
//
//	service  PK=SERVICE#<id>     SK=SERVICE  GSI1PK=CUSTSERVICES#<customer>  GSI2PK=SERVICES  (SK <created>#<id>)
//	log      PK=SVCLOG#<service> SK=<at>#<ulid>
type Services struct{ t *Table }

var _ provisioning.Store = (*Services)(nil)

// NewServices returns the service store on t.
func NewServices(t *Table) *Services { return &Services{t: t} }

type serviceRecord struct {
	Item
	serviceData
}

type serviceLogRecord struct {
	Item
	logEntryData
}

func serviceKey(id string) Key { return Key{PK: "SERVICE#" + id, SK: "SERVICE"} }

func toServiceRecord(s *provisioning.Service) *serviceRecord {
	k := sortKey(s.CreatedAt, s.ID)
	r := &serviceRecord{Item: Item{PK: "SERVICE#" + s.ID, SK: "SERVICE", Type: "service", Version: s.Version,
		GSI1PK: "CUSTSERVICES#" + s.CustomerID, GSI1SK: k, GSI2PK: "SERVICES", GSI2SK: k}, serviceData: serviceDataOf(*s)}
	return r
}

func (r *serviceRecord) service() *provisioning.Service {
	s := r.serviceData.value()
	s.Version = r.Item.Version
	if s.IPs == nil { // an empty list is stored as NULL
		s.IPs = []string{}
	}
	return &s
}

// hostTerms are what staff find a service by: its hostname and addresses.
func hostTerms(svc *provisioning.Service) []string {
	return serviceTerms(svc.Hostname, svc.IPs, svc.Addresses)
}

// CreateService implements provisioning.Store.
func (s *Services) CreateService(ctx context.Context, svc *provisioning.Service) (*provisioning.Service, error) {
	svc.Version = 1
	err := s.t.Transact(ctx, append([]Op{Create(toServiceRecord(svc))}, termOps(search.Service, svc.ID, nil, hostTerms(svc))...)...)
	if apperr.Is(err, apperr.Conflict) {
		return s.GetService(ctx, svc.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("create service %s: %w", svc.ID, err)
	}
	return svc, nil
}

// GetService implements provisioning.Store.
func (s *Services) GetService(ctx context.Context, id string) (*provisioning.Service, error) {
	var r serviceRecord
	if err := s.t.Get(ctx, serviceKey(id), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "service %s not found", id)
		}
		return nil, err
	}
	return r.service(), nil
}

// UpdateService implements provisioning.Store.
func (s *Services) UpdateService(ctx context.Context, id string, fn func(*provisioning.Service) error) (*provisioning.Service, error) {
	return s.UpdateServiceEmitting(ctx, id, func(svc *provisioning.Service) ([]outbox.Item, error) { return nil, fn(svc) })
}

// UpdateServiceEmitting implements provisioning.Store: the service and the
// new outbox items are one transaction.
func (s *Services) UpdateServiceEmitting(ctx context.Context, id string, fn func(*provisioning.Service) ([]outbox.Item, error)) (*provisioning.Service, error) {
	var out *provisioning.Service
	_, err := Update(ctx, s.t, serviceKey(id), func(r *serviceRecord) ([]Op, error) {
		svc := r.service()
		had := hostTerms(svc)
		items, err := fn(svc)
		if err != nil {
			return nil, err
		}
		*r = *toServiceRecord(svc)
		r.Item.Version = svc.Version
		out = svc
		ops := termOps(search.Service, svc.ID, had, hostTerms(svc))
		for _, it := range items {
			ops = append(ops, createOutbox(ctx, it, it.CreatedAt))
		}
		return ops, nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "service %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	out.Version++
	return out, nil
}

// ListServices implements provisioning.Store (all when customerID is empty).
func (s *Services) ListServices(ctx context.Context, customerID string) ([]provisioning.Service, error) {
	q := Query{Index: GSI2, PK: "SERVICES", Reverse: true}
	if customerID != "" {
		q.Index, q.PK = GSI1, "CUSTSERVICES#"+customerID
	}
	recs, err := QueryAll[serviceRecord](ctx, s.t, q, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]provisioning.Service, 0, len(recs))
	for i := range recs {
		out = append(out, *recs[i].service())
	}
	return out, nil
}

// AppendLog implements provisioning.Store.
func (s *Services) AppendLog(ctx context.Context, e provisioning.LogEntry) error {
	rec := &serviceLogRecord{Item: Item{PK: "SVCLOG#" + e.ServiceID, SK: e.At.UTC().Format(time.RFC3339Nano) + "#" + ids.New("log"), Type: "service_log", Version: 1}, logEntryData: logEntryDataOf(e)}
	return s.t.Write(ctx, Create(rec))
}

// ListLog implements provisioning.Store, oldest first.
func (s *Services) ListLog(ctx context.Context, serviceID string) ([]provisioning.LogEntry, error) {
	recs, err := QueryAll[serviceLogRecord](ctx, s.t, Query{PK: "SVCLOG#" + serviceID}, 5000)
	if err != nil {
		return nil, err
	}
	out := make([]provisioning.LogEntry, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.logEntryData.value())
	}
	return out, nil
}

// NextNumber implements provisioning.Store: one atomic ADD on a counter.
func (s *Services) NextNumber(ctx context.Context) (int64, error) {
	return s.t.Next(ctx, Key{PK: "COUNTER#service", SK: "COUNTER"})
}
