"""Every deploy profile in samconfig.toml can deploy template.yaml: it sets
each parameter that has no default, names only parameters the template has,
and keeps to their allowed values. Parsed with SAM CLI's own readers, so
quoting ('EZSCALE <billing@…>') is read as sam deploy reads it.

Run by make test-template: python infra/deploy/check_samconfig.py
"""
import sys
import tomllib

from samcli.cli.types import CfnParameterOverridesType
from samcli.yamlhelper import yaml_parse


def main() -> int:
    with open("template.yaml") as f:
        params = yaml_parse(f.read())["Parameters"]
    with open("samconfig.toml", "rb") as f:
        cfg = tomllib.load(f)
    problems = []
    for env, sections in cfg.items():
        deploy = sections.get("deploy", {}).get("parameters") if isinstance(sections, dict) else None
        if deploy is None:
            continue
        given = CfnParameterOverridesType().convert(deploy.get("parameter_overrides", ""), None, None)
        for name, spec in params.items():
            if "Default" not in spec and name not in given:
                problems.append(f"[{env}] sets no {name}, which has no default")
        for name, value in given.items():
            spec = params.get(name)
            if spec is None:
                problems.append(f"[{env}] sets {name}, which template.yaml does not have")
            elif "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
                problems.append(f"[{env}] {name}={value} is not one of {spec['AllowedValues']}")
    for p in problems:
        print("samconfig.toml:", p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
