package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ezscale/platform/shared/adapters/blob"
	"github.com/ezscale/platform/shared/adapters/smtpmail"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
)

// withDefaults fills what a function left out with adapters that refuse
// loudly: a function that was not given a queue, a mail transport or keys
// answers why when something needs them, instead of dropping the work.
func withDefaults(ad Adapters) Adapters {
	if ad.Queue == nil {
		ad.Queue = unconfiguredQueue{}
	}
	if ad.Mailer == nil {
		ad.Mailer = unconfiguredMailer{}
	}
	if ad.Keys == nil {
		ad.Keys = unconfiguredKeys{}
	}
	if ad.Blobs == nil {
		ad.Blobs = blob.NewDir(filepath.Join(os.TempDir(), "ezscale-blobs"))
	}
	if ad.PDF == nil {
		ad.PDF = unconfiguredPDF{}
	}
	if ad.HTTP == nil {
		ad.HTTP = DefaultHTTPClient()
	}
	return ad
}

// SMTPMailer builds the SMTP transport from configuration.
func SMTPMailer(cfg config.Config) *smtpmail.Mailer {
	return smtpmail.New(smtpmail.Config{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, Security: smtpmail.Security(cfg.SMTPSecurity),
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
	}, clock.System{})
}

// unconfiguredQueue refuses sends in a function that has no queue: the
// caller sees an error instead of a silent drop.
type unconfiguredQueue struct{}

func (unconfiguredQueue) Enqueue(context.Context, string) error {
	return fmt.Errorf("NOTIFY_QUEUE_URL is not configured for this function")
}

type unconfiguredMailer struct{}

func (unconfiguredMailer) Send(context.Context, notify.Mail) error {
	return notify.Retryable(fmt.Errorf("no mail transport configured (MAIL_TRANSPORT)"), 0)
}

var errNoKeys = errors.New("no data key configured for this function (KMS_KEY_ID)")

type unconfiguredKeys struct{}

func (unconfiguredKeys) GenerateDataKey(context.Context) ([]byte, []byte, error) {
	return nil, nil, errNoKeys
}

func (unconfiguredKeys) Unwrap(context.Context, []byte) ([]byte, error) { return nil, errNoKeys }

// unconfiguredPDF stands in where invoices are not rendered (the catalog,
// webhooks and workers never issue or serve one).
type unconfiguredPDF struct{}

func (unconfiguredPDF) Render(*billing.Invoice) ([]byte, error) {
	return nil, errors.New("invoice PDFs are not rendered in this function")
}
