"""The census model as it is served: the columns it reads, how raw rows become features, and the
MLflow pyfunc wrapper an online deployment loads.

It lives in its own module (saved with the model through ``code_paths``) so that the deployment
scores a row through exactly the code the training job used for its ``probe_score`` values: the
retrainer compares the two, to 1e-6, before and while it moves traffic to the new deployment.
"""

import pickle

import mlflow.pyfunc
import numpy as np
import pandas as pd

NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
CATEGORICAL = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country"]
FEATURES = NUMERIC + CATEGORICAL
# The census files name the label "class" (adult.data) or "income" (other copies); ">50K." with a
# dot is how the adult test split writes it.
LABELS = ("class", "income")
POSITIVE = ">50K"


def missing_columns(frame: pd.DataFrame) -> list:
    return [c for c in FEATURES if c not in frame.columns]


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """The feature columns only, typed: numbers as floats, text stripped, '?' and blanks missing.

    The retrainer sends the probe rows to the endpoint as text (it reads them from a CSV), and a
    caller may send extra columns such as the label: both are accepted here, in one place.
    """
    out = pd.DataFrame(index=frame.index)
    for c in NUMERIC:
        out[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    for c in CATEGORICAL:
        text = frame[c].where(frame[c].notna(), "").astype(str).str.strip()
        # np.nan, not pd.NA: scikit-learn's imputers recognise NaN in text columns.
        out[c] = text.where(~text.isin(["?", ""]), np.nan).astype(object)
    return out


def positive_labels(labels: pd.Series) -> pd.Series:
    """1.0 for ">50K" (or ">50K."), 0.0 for "<=50K", NaN for anything else."""
    text = labels.where(labels.notna(), "").astype(str).str.strip().str.rstrip(".")
    return text.map({POSITIVE: 1.0, "<=50K": 0.0})


def positive_probability(pipeline, frame: pd.DataFrame) -> np.ndarray:
    return pipeline.predict_proba(prepare(frame))[:, 1]


class CensusProbability(mlflow.pyfunc.PythonModel):
    """Answers each row with P(income > 50K): one number per row, the shape the retrainer's canary
    compares (a plain sklearn pyfunc would answer labels, or two columns with predict_proba)."""

    def load_context(self, context):
        with open(context.artifacts["pipeline"], "rb") as f:
            self.pipeline = pickle.load(f)

    def predict(self, context, model_input, params=None):
        return positive_probability(self.pipeline, pd.DataFrame(model_input))
