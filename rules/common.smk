import os

# Validation first: the config is checked against its schema and the registries when the DAG is built.
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from lnnmeta.config import config_problems, validate_config

validate(config, "../workflow/schemas/config.schema.yaml")
_problems = config_problems(config)
if _problems:
    raise WorkflowError("invalid config:\n" + "\n".join(_problems))
CFG = validate_config(config)

# Library sources are inputs of the rules that use them, so a code change reruns the right jobs.
LIB = "src/lnnmeta"


def lib(*modules):
    return [f"{LIB}/{m}" for m in modules]


def run_paths():
    return expand(
        "results/runs/{task}/{model}/seed{seed}.parquet",
        task=CFG["tasks"],
        model=CFG["models"],
        seed=CFG["seeds"],
    )


def literature_files():
    from lnnmeta.literature.loader import literature_files as _files

    return [str(p) for p in _files(CFG["literature_dir"])]


def final_outputs():
    return ["reports/report.html", "reports/report.pdf"]
