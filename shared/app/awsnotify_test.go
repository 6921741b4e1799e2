package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/s3blob"
	"github.com/ezscale/platform/shared/adapters/sesmail"
	"github.com/ezscale/platform/shared/adapters/sqsqueue"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/platform/envelope"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

// The AWS path end to end on moto: Send → S3 (attachment) → SQS → the
// notifier Lambda handler → SES; then a mailer that keeps failing drives the
// message through retries into the DLQ.
func TestNotifierOnSQSAndSES(t *testing.T) {
	ctx := context.Background()
	awsCfg := moto.Config(t)
	sqsc, sesc, s3c := sqs.NewFromConfig(awsCfg), sesv2.NewFromConfig(awsCfg), s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true })

	suffix := time.Now().Format("150405.000000")
	suffix = strings.ReplaceAll(suffix, ".", "")
	dlq, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dlq" + suffix)})
	if err != nil {
		t.Fatal(err)
	}
	dlqAttrs, _ := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []sqstypesAttr{"QueueArn"}})
	redrive, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqAttrs.Attributes["QueueArn"], "maxReceiveCount": "3"})
	q, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("notify" + suffix), Attributes: map[string]string{"RedrivePolicy": string(redrive), "VisibilityTimeout": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	bucket := "blobs" + suffix
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := sesc.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("ezscale.example")}); err != nil {
		t.Fatal(err)
	}

	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(map[string]string{"LOCAL_KEY_FILE": filepath.Join(t.TempDir(), "k"), "MAIL_TRANSPORT": "ses", "MAIL_FROM": "EZSCALE <billing@ezscale.example>"})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := envelope.LoadOrCreateLocalKeys(cfg.LocalKeyFile)
	// The adapters get their clients as the functions do (NewClient).
	queue := sqsqueue.New(sqsqueue.NewClient(awsCfg), aws.ToString(q.QueueUrl))
	p := app.New(cfg, app.Adapters{DynamoDB: api, Keys: keys, Queue: queue, Blobs: s3blob.New(s3blob.NewClient(awsCfg, func(o *s3.Options) { o.UsePathStyle = true }), bucket),
		Mailer: sesmail.New(sesmail.NewClient(awsCfg), clock.System{}, ""), HTTP: app.DefaultHTTPClient()}, slog.New(slog.DiscardHandler), clock.System{})
	handler := p.NotifierEntry(queue)

	// receive pulls the queue once and feeds the batch to the Lambda handler.
	receive := func(t *testing.T, url string) (int, events.SQSEventResponse) {
		t.Helper()
		out, err := sqsc.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return 0, events.SQSEventResponse{}
		}
		var ev events.SQSEvent
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
		}
		raw, _ := json.Marshal(ev)
		res, err := handler(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		resp := res.(events.SQSEventResponse)
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		for _, m := range out.Messages { // what Lambda's event source mapping does
			if !failed[aws.ToString(m.MessageId)] {
				_, _ = sqsc.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
			}
		}
		return len(out.Messages), resp
	}

	spec, _ := notify.Lookup(notify.InvoiceIssued)
	pdf := []byte("%PDF-1.7 moto")
	if _, err := p.Notify.Send(ctx, notify.Request{Kind: notify.InvoiceIssued, To: "ada@example.com", Key: "invoice_issued:inv_9", Data: spec.Sample,
		Attachments: []notify.Attachment{{Filename: "inv.pdf", ContentType: "application/pdf", Content: pdf}}}); err != nil {
		t.Fatal(err)
	}
	if n, resp := receive(t, aws.ToString(q.QueueUrl)); n != 1 || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("received %d, failures %v", n, resp.BatchItemFailures)
	}
	if m, _ := p.Notify.Get(ctx, "invoice_issued:inv_9"); m.Status != notify.Sent {
		t.Fatalf("status %s: %s", m.Status, m.LastError)
	}
	if body := motoSES(t); !strings.Contains(body, "inv.pdf") || !strings.Contains(body, "ada@example.com") {
		t.Fatalf("SES (moto) did not record the raw message with its attachment")
	}

	t.Run("FailuresReachTheDLQ", func(t *testing.T) {
		broken := app.New(cfg, app.Adapters{DynamoDB: api, Keys: keys, Queue: queue, Blobs: s3blob.New(s3c, bucket),
			Mailer: sesmail.New(sesv2.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: awsCfg.Credentials, BaseEndpoint: aws.String("http://127.0.0.1:1")}), clock.System{}, ""),
			HTTP:   app.DefaultHTTPClient()}, slog.New(slog.DiscardHandler), clock.System{})
		handler = broken.NotifierEntry(nil) // no visibility delay: SQS's own timeout paces retries
		if _, err := broken.Notify.Send(ctx, notify.Request{Kind: notify.Welcome, To: "ada@example.com", Key: "welcome:down", Data: map[string]any{"customer_name": "Ada"}}); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			receive(t, aws.ToString(q.QueueUrl))
			if n, _ := peek(t, sqsc, aws.ToString(dlq.QueueUrl)); n > 0 {
				m, _ := broken.Notify.Get(ctx, "welcome:down")
				if m.Attempts != 3 || (m.Status != notify.Pending && m.Status != notify.Failed) {
					t.Fatalf("record after DLQ: %+v", m)
				}
				return
			}
		}
		t.Fatal("the failing message never reached the DLQ")
	})
}

func peek(t *testing.T, c *sqs.Client, url string) (int, error) {
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypesAttr{"ApproximateNumberOfMessages"}})
	if err != nil {
		return 0, err
	}
	n := 0
	_, _ = fmtSscan(out.Attributes["ApproximateNumberOfMessages"], &n)
	return n, nil
}

// motoSES returns moto's recorded model data (it includes sent SES mail).
func motoSES(t *testing.T) string {
	resp, err := http.Get(moto.Endpoint(t) + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
