// Package lambdaenv is what every Lambda function reads when it starts: the
// typed configuration, a logger naming the function, and the AWS settings
// the Lambda environment hands over. Each function's main adds the clients
// of the AWS services it uses and nothing else, so a function links (and
// initialises at cold start) only those SDK packages.
package lambdaenv

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/ssmparams"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/platform/logging"
)

// Env is one function's start-up environment.
type Env struct {
	Function string
	Config   config.Config
	Log      *slog.Logger
	AWS      aws.Config
}

// Load reads the environment. It fails, naming the setting, when the
// configuration is invalid.
//
// A value written ssm:<parameter> (secrets: payment keys, mail and panel
// passwords) is read from SSM Parameter Store first, once, at the cold
// start; a parameter that is missing or not readable stops the function,
// naming the variable.
func Load(function string, environ map[string]string) (Env, error) {
	awsCfg, err := AWSConfig(environ)
	if err != nil {
		return Env{}, err
	}
	environ = maps.Clone(environ)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ssmparams.Resolve(ctx, ssmparams.New(awsCfg, nil), environ); err != nil {
		return Env{}, fmt.Errorf("secrets: %w", err)
	}
	cfg, err := config.Load(environ)
	if err != nil {
		return Env{}, err
	}
	log := logging.New(os.Stdout, cfg.LogLevel).With("function", function, "stage", cfg.Stage)
	return Env{Function: function, Config: cfg, Log: log, AWS: awsCfg}, nil
}

// MustLoad is Load from the process environment, exiting with the reason
// when the function cannot start.
func MustLoad(function string) Env {
	starting = function
	env, err := Load(function, config.FromOS(os.Environ()))
	if err != nil {
		exit(function, err)
	}
	return env
}

// starting is the function MustLoad was asked for, named when it exits.
var starting = "function"

// Must returns v, or exits naming the function when err is set: a
// function that cannot wire itself must not take events.
func Must[T any](v T, err error) T {
	if err != nil {
		exit(starting, err)
	}
	return v
}

func exit(function string, err error) {
	fmt.Fprintf(os.Stderr, "%s: cannot start: %v\n", function, err)
	os.Exit(1)
}

// AWSConfig is the SDK configuration from the variables Lambda sets: the
// region and the execution role's credentials (AWS_ENDPOINT_URL points
// every client at an emulator in tests). The SDK's default chain
// (config.LoadDefaultConfig) reads the same variables first, but links
// the STS, SSO, SSO-OIDC and sign-in clients for the profiles and roles
// it could also resolve; their package initialisation alone cost ≈1 ms of
// every cold start (make bench), for sources a function never uses.
func AWSConfig(environ map[string]string) (aws.Config, error) {
	region := environ["AWS_REGION"]
	if region == "" {
		region = environ["AWS_DEFAULT_REGION"]
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION: not set")
	}
	id, secret := environ["AWS_ACCESS_KEY_ID"], environ["AWS_SECRET_ACCESS_KEY"]
	if id == "" || secret == "" {
		return aws.Config{}, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set (Lambda sets them from the execution role)")
	}
	c := aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, environ["AWS_SESSION_TOKEN"])),
	}
	if u := environ["AWS_ENDPOINT_URL"]; u != "" {
		c.BaseEndpoint = aws.String(u)
	}
	return c, nil
}

// Adapters are what every function uses: the table, an HTTP client with a
// timeout, and the panels PANELS and PANEL_ROUTES configure.
func Adapters(env Env) (app.Adapters, error) {
	hc := app.DefaultHTTPClient()
	panels, err := app.PanelsFrom(env.Config.Panels, env.Config.PanelRoutes, hc)
	if err != nil {
		return app.Adapters{}, err
	}
	return app.Adapters{DynamoDB: dynamo.NewClient(env.AWS), HTTP: hc, Panels: panels}, nil
}

// Platform wires the platform on ad.
func (e Env) Platform(ad app.Adapters) *app.Platform {
	return app.New(e.Config, ad, e.Log, clock.System{})
}
