package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/audit"
)

// Audit stores audit entries. Keys:
//
//	PK=AUDIT#<yyyy-mm-dd>  SK=<at>#<id>
//	GSI1PK=AUDIT#ACTOR#<actor id>   GSI1SK=<at>#<id>
//	GSI2PK=AUDIT#TARGET#<target id> GSI2SK=<at>#<id>
//
// Entries do not expire.
type Audit struct{ t *Table }

var (
	_ audit.Recorder = (*Audit)(nil)
	_ audit.Reader   = (*Audit)(nil)
)

// NewAudit returns the audit store on t.
func NewAudit(t *Table) *Audit { return &Audit{t: t} }

type auditRecord struct {
	Item
	auditData
}

// Record implements audit.Recorder.
func (a *Audit) Record(ctx context.Context, e audit.Entry) error {
	sk := e.At.UTC().Format(time.RFC3339Nano) + "#" + e.ID
	r := &auditRecord{Item: Item{PK: "AUDIT#" + e.At.UTC().Format("2006-01-02"), SK: sk, Type: "audit", Version: 1}, auditData: auditDataOf(e)}
	if e.ActorID != "" {
		r.GSI1PK, r.GSI1SK = "AUDIT#ACTOR#"+e.ActorID, sk
	}
	if e.TargetID != "" {
		r.GSI2PK, r.GSI2SK = "AUDIT#TARGET#"+e.TargetID, sk
	}
	return a.t.Write(ctx, Create(r))
}

// List implements audit.Reader.
func (a *Audit) List(ctx context.Context, q audit.Query) ([]audit.Entry, string, error) {
	query := Query{Reverse: true, Limit: q.Limit, Cursor: q.Cursor}
	switch {
	case q.ActorID != "":
		query.Index, query.PK = GSI1, "AUDIT#ACTOR#"+q.ActorID
	case q.TargetID != "":
		query.Index, query.PK = GSI2, "AUDIT#TARGET#"+q.TargetID
	default:
		query.PK = "AUDIT#" + q.Day.UTC().Format("2006-01-02")
	}
	page, err := QueryPage[auditRecord](ctx, a.t, query)
	if err != nil {
		return nil, "", fmt.Errorf("list audit: %w", err)
	}
	out := make([]audit.Entry, 0, len(page.Items))
	for _, r := range page.Items {
		out = append(out, r.auditData.value())
	}
	return out, page.Next, nil
}
