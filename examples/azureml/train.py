"""Census (adult) training for the retrainer's Azure Machine Learning (v2) jobs.

Trains a gradient-boosted classifier on the `data` input, evaluates it on held-out rows and logs to
the job's MLflow run exactly what the retrainer reads (see README.md):

- accuracy, precision, recall, f1_score, auc, log_loss: the gate's metrics, on the held-out rows;
- the same with a ``champion_`` prefix for the `champion` input (the model serving now), on the
  same rows, when the job is given one: the gate's "auc>=champion-0.005" rules compare the two;
- probe_score, one MLflow step per row of the `probe` input (step i = row i): what the new
  deployment must answer for those rows before it takes traffic; champion_probe_score likewise;
- the model, as an MLflow pyfunc model that answers P(income > 50K) per row, in the `model` output.

Inputs come as arguments or, when the command does not pass them, from the variables Azure ML
sets for every input and output of a job (AZURE_ML_INPUT_<name>, AZURE_ML_OUTPUT_<name>): the
retrainer's default command passes only --data and --probe.
"""

import argparse
import os
import pickle
import shutil
import sys
import tempfile

import mlflow
import mlflow.pyfunc
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import census_model as cm  # noqa: E402  (beside this file; saved with the model as its code)

# The retrainer's names (shared/backends/azureml/metrics.ts: PROBE_METRIC, CHAMPION_PREFIX).
PROBE_METRIC = "probe_score"
CHAMPION_PREFIX = "champion_"


class UsageError(Exception):
    """Input the job cannot train on: the message names what is wrong."""


def arguments(argv):
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=env("AZURE_ML_INPUT_data"), help="training CSV (a file, or a folder of CSVs)")
    p.add_argument("--probe", default=env("AZURE_ML_INPUT_probe"), help="probe rows to score, one MLflow step each")
    p.add_argument("--champion", default=env("AZURE_ML_INPUT_champion"), help="folder of the MLflow model serving now")
    p.add_argument("--model_output", default=env("AZURE_ML_OUTPUT_model"), help="folder to write the MLflow model to")
    p.add_argument("--test_fraction", type=float, default=0.25, help="share of rows held out for evaluation")
    p.add_argument("--max_rows", type=int, default=0, help="train on a seeded sample of this many rows (0: all)")
    p.add_argument("--seed", type=int, default=123)
    a = p.parse_args(argv)
    if not a.data:
        raise UsageError("no training data: pass --data or run as a job with an input named data")
    if not 0.05 <= a.test_fraction <= 0.5:
        raise UsageError(f"--test_fraction must be between 0.05 and 0.5, got {a.test_fraction}")
    return a


def read_csv(path):
    """A CSV file, or every CSV in a folder (a uri_folder input), '?' read as missing."""
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(".csv"))
        if not files:
            raise UsageError(f"{path} is a folder with no .csv file in it")
        return pd.concat([read_csv(f) for f in files], ignore_index=True)
    if not os.path.isfile(path):
        raise UsageError(f"{path} does not exist")
    frame = pd.read_csv(path, skipinitialspace=True, dtype=str, keep_default_na=False)
    frame.columns = [c.strip() for c in frame.columns]
    return frame


def labelled(frame, what):
    """Features and 0/1 labels of the rows whose label is known."""
    missing = cm.missing_columns(frame)
    if missing:
        raise UsageError(f"{what} lacks the column(s) {', '.join(missing)}")
    label = next((c for c in cm.LABELS if c in frame.columns), None)
    if label is None:
        raise UsageError(f"{what} has no label column ({' or '.join(cm.LABELS)})")
    y = cm.positive_labels(frame[label])
    known = y.notna()
    if known.sum() == 0 or y[known].nunique() < 2:
        raise UsageError(f"{what} needs rows of both classes ({cm.POSITIVE} and <=50K) in column {label}")
    return frame[known].reset_index(drop=True), y[known].astype(int).reset_index(drop=True)


def pipeline(seed):
    """Median/most-frequent imputation, categories as ordinals, histogram gradient boosting."""
    categories = Pipeline([
        ("impute", SimpleImputer(strategy="most_frequent")),
        ("encode", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)),
    ])
    prep = ColumnTransformer([
        ("numeric", SimpleImputer(strategy="median"), cm.NUMERIC),
        ("categorical", categories, cm.CATEGORICAL),
    ])
    # Negative codes (a category not seen in training) count as missing for the booster.
    is_categorical = [False] * len(cm.NUMERIC) + [True] * len(cm.CATEGORICAL)
    booster = HistGradientBoostingClassifier(categorical_features=is_categorical, random_state=seed)
    return Pipeline([("prep", prep), ("model", booster)])


def evaluation(y, p):
    """The gate's metrics (shared/backends/azureml/metrics.ts), at the 0.5 threshold."""
    predicted = (p >= 0.5).astype(int)
    return {
        "accuracy": accuracy_score(y, predicted),
        "precision": precision_score(y, predicted, zero_division=0),
        "recall": recall_score(y, predicted, zero_division=0),
        "f1_score": f1_score(y, predicted, zero_division=0),
        "auc": roc_auc_score(y, p),
        "log_loss": log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1]),
    }


def champion_scorer(path):
    """The serving model as the retrainer deploys it: an MLflow pyfunc answering a probability per row."""
    try:
        model = mlflow.pyfunc.load_model(path)
    except Exception as e:  # any loader failure is the same answer for the user
        raise UsageError(f"the champion input {path} is not an MLflow model this job can load ({type(e).__name__}: {e})") from e

    def score(frame):
        p = np.asarray(model.predict(frame[cm.FEATURES]), dtype=float)
        p = p[:, -1] if p.ndim == 2 else p
        if p.shape != (len(frame),) or not np.all((p >= 0) & (p <= 1)):
            raise UsageError(f"the champion model at {path} does not answer one probability per row")
        return p

    return score


def save_model(fitted, out_dir):
    """An MLflow pyfunc model folder: no scoring script or environment is needed to deploy it."""
    with tempfile.TemporaryDirectory() as tmp:
        pickled = os.path.join(tmp, "pipeline.pkl")
        with open(pickled, "wb") as f:
            pickle.dump(fitted, f)
        # The output folder exists (Azure ML mounts it); save_model wants to create it itself.
        target = os.path.join(tmp, "model")
        mlflow.pyfunc.save_model(
            path=target,
            python_model=cm.CensusProbability(),
            artifacts={"pipeline": pickled},
            code_paths=[os.path.join(HERE, "census_model.py")],
            conda_env=os.path.join(HERE, "environment", "conda.yaml"),
        )
        os.makedirs(out_dir, exist_ok=True)
        shutil.copytree(target, out_dir, dirs_exist_ok=True)


def main(argv):
    a = arguments(argv)
    features, y = labelled(read_csv(a.data), f"data {a.data}")
    if a.max_rows and len(y) > a.max_rows:
        features, _, y, _ = train_test_split(features, y, train_size=a.max_rows, stratify=y, random_state=a.seed)
    x_train, x_test, y_train, y_test = train_test_split(features, y, test_size=a.test_fraction, stratify=y, random_state=a.seed)
    champion = champion_scorer(a.champion) if a.champion else None
    probe = read_csv(a.probe) if a.probe else None
    if probe is not None and cm.missing_columns(probe):
        raise UsageError(f"probe {a.probe} lacks the column(s) {', '.join(cm.missing_columns(probe))}")

    fitted = pipeline(a.seed).fit(cm.prepare(x_train), y_train)
    scores = cm.positive_probability(fitted, x_test)

    # In an Azure ML job this resumes the job's own run (MLFLOW_RUN_ID): the run id is the job name.
    with mlflow.start_run():
        metrics = evaluation(y_test, scores)
        if champion is not None:
            metrics.update({CHAMPION_PREFIX + k: v for k, v in evaluation(y_test, champion(x_test)).items()})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
        if probe is not None:
            for step, value in enumerate(cm.positive_probability(fitted, probe)):
                mlflow.log_metric(PROBE_METRIC, float(value), step=step)
            if champion is not None:
                for step, value in enumerate(champion(probe)):
                    mlflow.log_metric(CHAMPION_PREFIX + PROBE_METRIC, float(value), step=step)
        if a.model_output:
            save_model(fitted, a.model_output)
    shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
    print(f"trained on {len(y_train)} rows, evaluated on {len(y_test)}: {shown}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except UsageError as e:
        print(f"train.py: {e}", file=sys.stderr)
        sys.exit(2)
