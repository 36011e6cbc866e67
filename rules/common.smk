import os

# Validation first: the config and every input it names (literature files, references.bib, claims,
# user data) are checked when the DAG is built, so bad input stops the run before any job starts.
from snakemake.exceptions import WorkflowError

from lnnmeta.codedeps import code_of
from lnnmeta.config import input_problems, validate_config

_problems = input_problems(config)
if _problems:
    raise WorkflowError(
        f"{len(_problems)} problem(s) in the inputs; nothing was run:\n"
        + "\n".join(_problems)
    )
CFG = validate_config(config)
# The training settings the jobs use (their documentation, training.origin, reruns nothing).
PROTOCOL = {k: v for k, v in CFG["training"].items() if k != "origin"}

# Library sources are inputs of the rules that use them, so a code change reruns the right jobs:
# each rule's are read from its script's imports (lnnmeta.codedeps), when its jobs are planned.
SRC = os.path.relpath(os.path.join(workflow.basedir, "src"))


def code_of_script(script):
    """The lnnmeta files that workflow/scripts/<script> runs or loads, as an input function."""
    path = os.path.join(workflow.basedir, "workflow", "scripts", script)
    return lambda wildcards: code_of(path, src=SRC)


def train_resources(task, model):
    from lnnmeta.resources import train_resources as _resources

    return _resources(
        task,
        model,
        CFG["training"],
        CFG["model_params"].get(model, {}),
        n_seeds=len(CFG["seeds"]),
    )


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


def all_cores(wildcards):
    """Every core of a local run, so that no other job runs beside measure_costs; 1 on a cluster
    (no --cores there: the job then gets an allocation of its own)."""
    try:
        return workflow.cores
    except WorkflowError:
        return 1


def final_outputs():
    return ["reports/report.html", "reports/report.pdf"]
