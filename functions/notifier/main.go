// Command notifier is the notification queue consumer (SQS → e-mail and
// Discord), reporting partial batch failures.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/adapters/sesmail"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/platform/clock"
)

func main() {
	env := lambdaenv.MustLoad("notifier")
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	queue := awsnotify.Wire(env, &ad)
	switch env.Config.MailTransport {
	case "ses":
		ad.Mailer = sesmail.New(sesmail.NewClient(env.AWS), clock.System{}, env.Config.SESConfiguration)
	case "smtp":
		ad.Mailer = app.SMTPMailer(env.Config)
	}
	p := env.Platform(ad)
	var delayer app.Delayer // stays a nil interface when there is no queue
	if queue != nil {
		delayer = queue
	}
	lambda.Start(p.NotifierEntry(delayer))
}
