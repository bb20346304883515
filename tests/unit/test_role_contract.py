"""What every role of the collection promises: argument specs that cover its defaults, a README that names
every variable, a Molecule scenario that `make test` runs, role-prefixed variables, and a tag of its own
wherever the collection's playbooks use it."""

import pytest
import yaml

from helpers import ROOT

ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks").is_dir())


def options(role):
    return yaml.safe_load((ROOT / "roles" / role / "meta/argument_specs.yml").read_text())[
        "argument_specs"]["main"]["options"]


@pytest.mark.parametrize("role", ROLES)
def test_defaults_are_prefixed_and_specified(role):
    defaults = yaml.safe_load((ROOT / "roles" / role / "defaults/main.yml").read_text()) or {}
    assert [name for name in defaults if not name.startswith(role + "_")] == []
    assert set(defaults) <= set(options(role)), sorted(set(defaults) - set(options(role)))


@pytest.mark.parametrize("role", ROLES)
def test_readme_names_every_variable(role):
    readme = (ROOT / "roles" / role / "README.md").read_text()
    assert readme.startswith("# hubspoke.multicluster." + role)
    assert [name for name in options(role) if "`{0}`".format(name) not in readme] == []
    assert "## Example" in readme


@pytest.mark.parametrize("role", ROLES)
def test_a_molecule_scenario_covers_it(role):
    scenario = ROOT / "extensions/molecule" / role
    assert (scenario / "molecule.yml").is_file() and (scenario / "converge.yml").is_file()
    assert "hubspoke.multicluster." + role in (scenario / "converge.yml").read_text() + "".join(
        p.read_text() for p in scenario.glob("*.yml"))
    assert (scenario / "verify.yml").is_file()


def test_playbooks_tag_every_role_by_its_name():
    for playbook in sorted((ROOT / "playbooks").glob("*.yml")):
        for play in yaml.safe_load(playbook.read_text()) or []:
            for entry in play.get("roles", []):
                name = entry["role"].rsplit(".", 1)[-1]
                assert name in entry.get("tags", []), (playbook.name, name)


def k8s_tasks(tasks):
    for task in tasks or []:
        for part in ("block", "rescue", "always"):
            yield from k8s_tasks(task.get(part))
        if "kubernetes.core.k8s" in task:
            yield task.get("name"), task["kubernetes.core.k8s"]


@pytest.mark.parametrize("role", ROLES)
def test_server_side_apply_is_asked_for_with_apply(role):
    """kubernetes.core.k8s ignores server_side_apply unless apply is true, and then merge-patches: a field the
    role stopped setting (an argocd-cm key, a label) would stay on the cluster forever."""
    for path in sorted((ROOT / "roles" / role / "tasks").glob("*.yml")):
        for name, args in k8s_tasks(yaml.safe_load(path.read_text())):
            if "server_side_apply" in args:
                assert args.get("apply") is True, (path.name, name)


def descriptions(spec):
    for option in (spec.get("options") or {}).values():
        text = option.get("description", [])
        yield from [text] if isinstance(text, str) else text
        yield from descriptions(option)


@pytest.mark.parametrize("role", ROLES)
def test_no_description_holds_a_template(role):
    """ansible-core 2.19 templates the argument spec it validates with: braces in a description (an example of Argo
    Rollouts' own placeholders, say) fail every run of the role with 'undefined'."""
    assert [text for text in descriptions({"options": options(role)}) if "{{" in text or "{%" in text] == []
