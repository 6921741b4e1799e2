// Package sesmail sends notification e-mail through the Amazon SES v2 API
// as raw MIME (the same bytes the SMTP transport sends), so attachments,
// Message-ID and Reply-To are identical on both paths.
package sesmail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/notify/mailmsg"
	"github.com/ezscale/platform/shared/platform/clock"
)

// API is the part of the SES v2 client used here.
type API interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Mailer implements notify.Mailer over SES.
type Mailer struct {
	api    API
	clock  clock.Clock
	config string // optional configuration set (bounce/complaint events)
}

var _ notify.Mailer = (*Mailer)(nil)

// New returns an SES mailer; configurationSet may be empty.
func New(api API, clk clock.Clock, configurationSet string) *Mailer {
	return &Mailer{api: api, clock: clk, config: configurationSet}
}

// Send implements notify.Mailer.
func (s *Mailer) Send(ctx context.Context, m notify.Mail) error {
	raw, err := mailmsg.Build(m, s.clock.Now())
	if err != nil {
		return notify.PermanentError(fmt.Errorf("build message: %w", err))
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return notify.PermanentError(fmt.Errorf("from: %w", err))
	}
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from.Address),
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	}
	if s.config != "" {
		in.ConfigurationSetName = aws.String(s.config)
	}
	// No SDK retries: SendEmail is not idempotent, and the notify worker
	// decides what is safe to retry.
	_, err = s.api.SendEmail(ctx, in, func(o *sesv2.Options) { o.RetryMaxAttempts = 1 })
	if err == nil {
		return nil
	}
	return classify(err)
}

func classify(err error) error {
	if _, ok := errors.AsType[*types.MessageRejected](err); ok {
		return notify.PermanentError(fmt.Errorf("ses: %w", err))
	}
	if ae, ok := errors.AsType[smithy.APIError](err); ok {
		switch ae.ErrorCode() {
		case "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException":
			return notify.PermanentError(fmt.Errorf("ses: %w", err))
		}
		// Throttling, sending paused, account limits: the request was
		// refused as a whole, so trying later is safe.
		return notify.Retryable(fmt.Errorf("ses: %w", err), 0)
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Op == "dial" {
		return notify.Retryable(fmt.Errorf("ses: %w", err), 0)
	}
	return notify.AmbiguousError(fmt.Errorf("ses: %w", err))
}
