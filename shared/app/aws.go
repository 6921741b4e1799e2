package app

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ezscale/platform/shared/adapters/blob"
	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/adapters/s3blob"
	"github.com/ezscale/platform/shared/adapters/sesmail"
	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/adapters/smtpmail"
	"github.com/ezscale/platform/shared/adapters/sqsqueue"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/platform/envelope"
	"github.com/ezscale/platform/shared/platform/logging"
)

// FromEnvironment builds the platform the way a Lambda function runs it:
// configuration from the environment, AWS clients from the default chain
// (AWS_ENDPOINT_URL points them at LocalStack or moto). It fails, naming
// the setting, when the configuration is invalid.
func FromEnvironment(ctx context.Context, function string) (*Platform, *sqsqueue.Queue, error) {
	cfg, err := config.Load(config.FromOS(os.Environ()))
	if err != nil {
		return nil, nil, err
	}
	log := logging.New(os.Stdout, cfg.LogLevel).With("function", function, "stage", cfg.Stage)
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	ad, queue, err := awsAdapters(cfg, awsCfg)
	if err != nil {
		return nil, nil, err
	}
	p := New(cfg, ad, log, clock.System{})
	if cfg.ProvisioningStateMachine != "" {
		p.Flows = &sfnflows.Flows{API: sfn.NewFromConfig(awsCfg), StateMachine: cfg.ProvisioningStateMachine}
		p.StartProvisioningWith(p.Flows.Start)
	}
	return p, queue, nil
}

func awsAdapters(cfg config.Config, awsCfg aws.Config) (Adapters, *sqsqueue.Queue, error) {
	ad := Adapters{DynamoDB: dynamodb.NewFromConfig(awsCfg), HTTP: DefaultHTTPClient()}
	var err error
	if cfg.KMSKeyID != "" {
		ad.Keys = kmskeys.New(kms.NewFromConfig(awsCfg), cfg.KMSKeyID)
	} else if ad.Keys, err = envelope.LoadOrCreateLocalKeys(cfg.LocalKeyFile); err != nil {
		return Adapters{}, nil, err
	}
	var queue *sqsqueue.Queue
	if cfg.NotifyQueueURL != "" {
		queue = sqsqueue.New(sqs.NewFromConfig(awsCfg), cfg.NotifyQueueURL)
		ad.Queue = queue
	} else {
		ad.Queue = unconfiguredQueue{}
	}
	if cfg.BlobBucket != "" {
		ad.Blobs = s3blob.New(s3.NewFromConfig(awsCfg), cfg.BlobBucket)
	} else {
		ad.Blobs = blob.NewDir(os.TempDir() + "/ezscale-blobs")
	}
	if ad.Panels, ad.PanelConcurrency, err = panelsFrom(cfg.Panels, ad.HTTP); err != nil {
		return Adapters{}, nil, err
	}
	switch cfg.MailTransport {
	case "ses":
		ad.Mailer = sesmail.New(sesv2.NewFromConfig(awsCfg), clock.System{}, cfg.SESConfiguration)
	case "smtp":
		ad.Mailer = SMTPMailer(cfg)
	default:
		ad.Mailer = unconfiguredMailer{}
	}
	return ad, queue, nil
}

// SMTPMailer builds the SMTP transport from configuration.
func SMTPMailer(cfg config.Config) *smtpmail.Mailer {
	return smtpmail.New(smtpmail.Config{
		Host: cfg.SMTPHost, Port: cfg.SMTPPort, Security: smtpmail.Security(cfg.SMTPSecurity),
		Username: cfg.SMTPUsername, Password: cfg.SMTPPassword,
	}, clock.System{})
}

// unconfiguredQueue refuses sends in a function that has no queue: the
// caller sees Unavailable instead of a silent drop.
type unconfiguredQueue struct{}

func (unconfiguredQueue) Enqueue(context.Context, string) error {
	return fmt.Errorf("NOTIFY_QUEUE_URL is not configured for this function")
}

type unconfiguredMailer struct{}

func (unconfiguredMailer) Send(context.Context, notify.Mail) error {
	return notify.Retryable(fmt.Errorf("no mail transport configured (MAIL_TRANSPORT)"), 0)
}
