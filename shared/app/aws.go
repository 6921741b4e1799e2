package app

import (
	"context"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/ezscale/platform/shared/clock"
	"github.com/ezscale/platform/shared/config"
	"github.com/ezscale/platform/shared/envelope"
	"github.com/ezscale/platform/shared/httpapi"
	"github.com/ezscale/platform/shared/kmskeys"
	"github.com/ezscale/platform/shared/logging"
)

// FromEnvironment builds the platform the way a Lambda function runs it:
// configuration from the environment, AWS clients from the default chain
// (AWS_ENDPOINT_URL points them at LocalStack or moto). It fails, naming
// the setting, when the configuration is invalid.
func FromEnvironment(ctx context.Context, function string) (*Platform, error) {
	cfg, err := config.Load(config.FromOS(os.Environ()))
	if err != nil {
		return nil, err
	}
	if function == httpapi.FnAdmin && cfg.AdminAPISecret == "" {
		return nil, fmt.Errorf("configuration: ADMIN_API_SECRET: is required by the admin function")
	}
	log := logging.New(os.Stdout, cfg.LogLevel).With("function", function, "stage", cfg.Stage)
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	var keys envelope.KeyWrapper
	if cfg.KMSKeyID != "" {
		keys = kmskeys.New(kms.NewFromConfig(awsCfg), cfg.KMSKeyID)
	} else if keys, err = envelope.LoadOrCreateLocalKeys(cfg.LocalKeyFile); err != nil {
		return nil, err
	}
	return New(cfg, dynamodb.NewFromConfig(awsCfg), keys, log, clock.System{}), nil
}
