package deploy_test

import (
	"os"
	"path"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type workflow struct {
	Jobs map[string]struct {
		Needs       any               `yaml:"needs"`
		If          string            `yaml:"if"`
		Environment string            `yaml:"environment"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// The pipeline tests exactly as CI here does, deploys only what passed,
// reaches production only through the approved environment, and never
// holds long-lived AWS keys.
func TestThePipelineDeploysOnlyWhatPassed(t *testing.T) {
	raw, err := os.ReadFile(path.Join("..", "..", ".github", "workflows", "ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "aws-access-key-id") || strings.Contains(string(raw), "AWS_SECRET_ACCESS_KEY") {
		t.Fatal("the workflow holds long-lived AWS keys; use OIDC role-to-assume")
	}
	var w workflow
	if err := yaml.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	runs := func(job, cmd string) bool {
		for _, s := range w.Jobs[job].Steps {
			if strings.Contains(s.Run, cmd) {
				return true
			}
		}
		return false
	}
	if !runs("test", "bash .ci/run") {
		t.Fatal("the test job does not run .ci/run")
	}
	for job, need := range map[string]string{"staging": "test", "production-plan": "staging", "production": "production-plan"} {
		j, ok := w.Jobs[job]
		if !ok || j.Needs != need {
			t.Fatalf("%s needs %v, want %s", job, j.Needs, need)
		}
		if j.Permissions["id-token"] != "write" {
			t.Fatalf("%s does not use OIDC credentials", job)
		}
	}
	if !strings.Contains(w.Jobs["staging"].If, "refs/heads/main") {
		t.Fatalf("staging deploys from any branch: %q", w.Jobs["staging"].If)
	}
	if w.Jobs["production"].Environment != "production" || !runs("production", "execute-change-set") || !runs("production-plan", "--no-execute-changeset") {
		t.Fatal("production must execute the change set shown, behind the production environment's reviewers")
	}
	for _, job := range []string{"staging", "production"} {
		if !runs(job, ".ci/publish") || !runs(job, ".ci/smoke") {
			t.Fatalf("%s does not publish the apps and smoke-test them", job)
		}
	}
}

// The operations dashboard shows every function, every queue and its
// dead-letter queue, and both workflows: one added later must be added
// there too.
func TestTheDashboardShowsEveryFunctionAndQueue(t *testing.T) {
	tpl := load(t)
	var props struct {
		DashboardBody yaml.Node `yaml:"DashboardBody"`
	}
	node := tpl.Resources["OpsDashboard"].Properties
	if err := node.Decode(&props); err != nil {
		t.Fatal(err)
	}
	body := props.DashboardBody.Value
	for id, r := range tpl.Resources {
		switch r.Type {
		case "AWS::Serverless::Function":
			if !strings.Contains(body, "${"+id+"}") {
				t.Errorf("the dashboard does not show %s", id)
			}
		case "AWS::SQS::Queue":
			if !strings.Contains(body, "${"+id+".QueueName}") {
				t.Errorf("the dashboard does not show %s", id)
			}
		case "AWS::Serverless::StateMachine":
			if !strings.Contains(body, "${"+id+"}") {
				t.Errorf("the dashboard does not show %s", id)
			}
		}
	}
}
