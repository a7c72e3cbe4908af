"""The deployment files agree with the code: settings they set exist, probes and health checks
hit real routes, names and labels line up. (No Docker engine or cluster runs in CI; these
checks catch the mistakes that would otherwise surface only at deploy time.)"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from typing import Any

import pytest
import yaml

from assistant.config import Settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
SETTING_NAMES = {f"ASSISTANT_{name.upper()}" for name in Settings.model_fields}


def k8s_objects() -> list[dict[str, Any]]:
    objects = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        objects += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return objects


def k8s(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}"
    return found[0]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text("utf-8"))
    return data


def test_the_dockerfile_is_multi_stage_and_runs_as_a_non_root_user() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_the_image_bakes_in_the_model_and_a_checked_index() -> None:
    assert "assistant index build" in DOCKERFILE and "assistant index info" in DOCKERFILE
    assert "COPY --from=build /app/index /app/index" in DOCKERFILE
    assert "ASSISTANT_BUILD_INDEX_ON_START=false" in DOCKERFILE
    assert "HF_HUB_OFFLINE=1" in DOCKERFILE
    # the tuned model and its ONNX export are built into the folder the runtime stage copies
    # and reads (a server that builds nothing on start refuses to run without them)
    caches = re.findall(r"ASSISTANT_MODEL_CACHE_DIR=(\S+)", DOCKERFILE)
    assert len(caches) == 2 and set(caches) == {"/app/index/models"}


def test_the_image_health_check_and_command_use_real_routes_and_commands() -> None:
    healthcheck = re.search(r"^HEALTHCHECK .*?(?=^\S)", DOCKERFILE, re.M | re.S)
    assert healthcheck and "/healthz" in healthcheck.group(0)
    assert 'CMD ["assistant", "serve", "--host", "0.0.0.0", "--port", "8000"]' in DOCKERFILE


def test_settings_named_by_the_deployment_files_exist() -> None:
    names = set(re.findall(r"ASSISTANT_[A-Z_]+", DOCKERFILE))
    for path in [*DEPLOY.rglob("*.yaml"), DEPLOY / "docker-compose.yml"]:
        names |= set(re.findall(r"\bASSISTANT_[A-Z_]+", path.read_text(encoding="utf-8")))
    assert names and names <= SETTING_NAMES, sorted(names - SETTING_NAMES)


def test_the_deployment_probes_readiness_and_liveness_on_the_real_routes() -> None:
    from assistant.web.api import create_app

    container = k8s("Deployment", "policy-assistant")["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    routes = {getattr(r, "path", None) for r in create_app(Settings(_env_file=None)).routes}
    assert {"/readyz", "/healthz", "/metrics"} <= routes


def test_the_grace_period_outlasts_the_drain() -> None:
    pod = k8s("Deployment", "policy-assistant")["spec"]["template"]["spec"]
    config = k8s("ConfigMap", "policy-assistant")["data"]
    pre_stop = pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
    drain = int(config["ASSISTANT_SHUTDOWN_TIMEOUT_SECONDS"]) + int(pre_stop[-1])
    assert pod["terminationGracePeriodSeconds"] > drain


def test_the_service_hpa_and_pdb_select_the_deployment() -> None:
    deployment = k8s("Deployment", "policy-assistant")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert k8s("Service", "policy-assistant")["spec"]["selector"].items() <= labels.items()
    assert (
        k8s("PodDisruptionBudget", "policy-assistant")["spec"]["selector"]["matchLabels"].items()
        <= labels.items()
    )
    target = k8s("HorizontalPodAutoscaler", "policy-assistant")["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "policy-assistant")
    assert deployment["spec"]["replicas"] >= 2


def test_replicas_share_conversations_through_the_redis_service() -> None:
    url = k8s("ConfigMap", "policy-assistant")["data"]["ASSISTANT_REDIS_URL"]
    redis = k8s("Service", "policy-assistant-redis")
    assert url == f"redis://{redis['metadata']['name']}:{redis['spec']['ports'][0]['port']}/0"
    pod = k8s("Deployment", "policy-assistant-redis")["spec"]["template"]
    assert redis["spec"]["selector"].items() <= pod["metadata"]["labels"].items()


def test_the_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text("utf-8"))
    files = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed["resources"]) == files


def test_pods_run_unprivileged() -> None:
    for name in ("policy-assistant", "policy-assistant-redis"):
        pod = k8s("Deployment", name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_compose_runs_two_replicas_and_redis_behind_nginx() -> None:
    services = compose()["services"]
    replicas = [name for name in services if name.startswith("assistant-")]
    assert len(replicas) == 2
    for name in replicas:
        environment = services[name]["environment"]
        assert environment["ASSISTANT_REDIS_URL"].startswith("redis://redis:")
    assert "redis" in services
    proxy = services["proxy"]
    assert any("nginx.conf" in volume for volume in proxy["volumes"])
    nginx = (DEPLOY / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    upstreams = re.findall(r"^\s*server\s+([\w.-]+):8000", nginx, re.M)
    assert sorted(upstreams) == sorted(replicas)


@pytest.mark.parametrize("path", ["/metrics", "/admin/"])
def test_nginx_keeps_per_replica_routes_off_the_proxy(path: str) -> None:
    nginx = (DEPLOY / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    assert re.search(rf"location (= )?{re.escape(path)} \{{ return 404; \}}", nginx)


def _trusted_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    assert value.strip() != "*", "trusting every address lets clients forge X-Forwarded-For"
    networks = [ipaddress.ip_network(v.strip(), strict=False) for v in value.split(",")]
    assert all(n.num_addresses < 2**24 for n in networks), networks  # a proxy, not the world
    return networks


def test_compose_trusts_x_forwarded_for_only_from_the_proxy() -> None:
    services = compose()["services"]
    proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
    for name in ("assistant-1", "assistant-2"):
        trusted = services[name]["environment"]["ASSISTANT_FORWARDED_ALLOW_IPS"]
        assert _trusted_networks(trusted) == [ipaddress.ip_network(proxy_address)]
    subnet = compose()["networks"]["backend"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)
    # nginx is the edge: it replaces a client's X-Forwarded-For instead of appending to it
    nginx = (DEPLOY / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for" not in nginx


def test_k8s_trusts_x_forwarded_for_only_from_the_ingress() -> None:
    trusted = k8s("ConfigMap", "policy-assistant")["data"]["ASSISTANT_FORWARDED_ALLOW_IPS"]
    _trusted_networks(trusted)
    policy = k8s("NetworkPolicy", "policy-assistant")
    pod = k8s("Deployment", "policy-assistant")["spec"]["template"]
    selector = policy["spec"]["podSelector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    sources = [s for rule in policy["spec"]["ingress"] for s in rule["from"]]
    assert sources and all("namespaceSelector" in s or "podSelector" in s for s in sources)


def _locked(path: str) -> dict[str, list[str]]:
    """Package name → the hashes a pip-compile lock file allows for it."""
    locked: dict[str, list[str]] = {}
    name = ""
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        pin = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if pin:
            name = pin.group(1).lower().replace("_", "-")
            locked[name] = []
        elif name and "--hash=sha256:" in line:
            locked[name].append(line.split("--hash=sha256:")[1].split()[0])
    return locked


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_the_lock_files_pin_every_dependency_with_hashes(lock: str) -> None:
    locked = _locked(lock)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = list(project["dependencies"])
    if lock == "requirements-test.lock":
        direct += project["optional-dependencies"]["test"]
    wanted = {re.split(r"[\[<>=!~ ]", d)[0].lower().replace("_", "-") for d in direct}
    assert wanted <= set(locked), wanted - set(locked)
    assert all(locked.values()), [n for n, hashes in locked.items() if not hashes]
    assert re.search(r"^torch==2\.13\.0(\+cpu)?\s", (ROOT / lock).read_text(), re.M)


def test_the_image_installs_the_lock_with_hashes_and_no_index_build_argument() -> None:
    assert "PIP_EXTRA_INDEX_URL" not in DOCKERFILE
    assert "COPY pyproject.toml README.md requirements.lock ./" in DOCKERFILE
    assert "pip install --require-hashes --no-deps -r requirements.lock" in DOCKERFILE
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r requirements-test.lock" in makefile
