"""deploy/: the docker-compose file, the Kubernetes example, HAProxy's config and the
Dockerfile. None can be run here (no images can be pulled, no cluster), so what can be
checked is: each parses, has the parts the README promises, every DRAGOMAN_* variable
it sets is one dragoman reads with the value given, its probes name real routes, and
HAProxy itself accepts its config (`haproxy -c`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from dragoman.config import load
from dragoman.server.routes import routes

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HAPROXY = "/usr/sbin/haproxy"
REPLICAS = ["dragoman-1", "dragoman-2", "dragoman-3"]


def _compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _kubernetes() -> dict[str, dict[str, Any]]:
    documents = yaml.safe_load_all((DEPLOY / "kubernetes" / "dragoman.yaml").read_text())
    return {document["kind"]: document for document in documents}


def _accepted(environment: dict[str, str], tmp_path: Path) -> None:
    """dragoman reads these variables (a strict config: an unknown key is an error)."""
    environ = {
        name: re.sub(r"\$\{[^}]*\}", "sk-some-key-for-the-check", value)
        for name, value in environment.items()
    }
    environ["DRAGOMAN_HOME"] = str(tmp_path)
    settings = load(environ=environ)
    assert settings.redis_url and settings.database_url.startswith("postgresql+asyncpg://")


def test_compose_runs_three_replicas_behind_haproxy_on_postgres_and_redis(tmp_path: Path) -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "haproxy", *REPLICAS}
    for name in REPLICAS:
        replica = services[name]
        assert replica["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        _accepted(replica["environment"], tmp_path)
    assert services["migrate"]["command"] == ["dragoman", "db", "upgrade"]
    assert services["migrate"]["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in services["haproxy"]["volumes"]
    assert "--appendonly" in services["redis"]["command"]


def test_haproxy_accepts_its_config_and_checks_readiness() -> None:
    config = (DEPLOY / "haproxy.cfg").read_text()
    checked = subprocess.run(
        [HAPROXY, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "balance roundrobin" in config and "option httpchk GET /readyz" in config
    assert re.findall(r"server (dragoman-\d) ", config) == REPLICAS


def test_kubernetes_has_a_secret_a_deployment_with_probes_and_a_service(tmp_path: Path) -> None:
    documents = _kubernetes()
    assert set(documents) == {"Secret", "Deployment", "Service"}
    secret = documents["Secret"]["stringData"]
    _accepted(secret, tmp_path)
    pod = documents["Deployment"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["envFrom"] == [{"secretRef": {"name": documents["Secret"]["metadata"]["name"]}}]
    assert pod["initContainers"][0]["command"] == ["dragoman", "db", "upgrade"]
    assert documents["Deployment"]["spec"]["replicas"] == 3
    labels = documents["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert documents["Service"]["spec"]["selector"] == labels


def test_the_probes_are_served_without_a_key() -> None:
    served = {getattr(route, "path", None) for route in routes()}
    assert {"/readyz", "/healthz"} <= served


def test_the_dockerfile_copies_what_exists_and_serves() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    root = DEPLOY.parent
    for line in re.findall(r"^COPY (.+) \S+$", text, re.MULTILINE):
        for source in line.split():
            assert (root / source).exists(), source
    assert 'CMD ["dragoman", "serve"]' in text and "/readyz" in text
