// Package awsnotify gives a Lambda function the AWS side of notifications:
// the SQS queue they are delivered from and the S3 bucket holding their
// attachments and documents. Functions that send nothing do not import it,
// and so do not link those clients.
package awsnotify

import (
	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/adapters/s3blob"
	"github.com/ezscale/platform/shared/adapters/sqsqueue"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

// Wire sets ad's queue (NOTIFY_QUEUE_URL) and blob store (BLOB_BUCKET)
// where they are configured, and returns the queue (nil without one),
// which the notifier also uses to delay redeliveries.
func Wire(env lambdaenv.Env, ad *app.Adapters) *sqsqueue.Queue {
	var queue *sqsqueue.Queue
	if url := env.Config.NotifyQueueURL; url != "" {
		queue = sqsqueue.New(sqsqueue.NewClient(env.AWS), url)
		ad.Queue = queue
	}
	if bucket := env.Config.BlobBucket; bucket != "" {
		ad.Blobs = s3blob.New(s3blob.NewClient(env.AWS), bucket)
	}
	return queue
}

// Adapters returns what a function that sends notifications uses: the
// table, KMS (notification bodies are sealed), and the queue and bucket
// Wire sets.
func Adapters(env lambdaenv.Env) (app.Adapters, error) {
	ad, err := lambdaenv.Adapters(env)
	if err != nil {
		return app.Adapters{}, err
	}
	if ad.Keys, err = kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile); err != nil {
		return app.Adapters{}, err
	}
	Wire(env, &ad)
	return ad, nil
}
