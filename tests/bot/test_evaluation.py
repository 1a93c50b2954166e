"""Runs the public evaluation set and fails below the targets set for it."""

from bot.evaluation import load_eval, run_eval, scope_indexes
from tests.conftest import EVAL_PUBLIC


def test_public_evaluation_meets_targets():
    evalset = load_eval(EVAL_PUBLIC)
    report = run_eval(evalset, scope_indexes(evalset))
    m = report.total
    failing = [o.query.id for o in report.failures]
    assert m.pass_rate >= 0.95, failing
    assert m.hit1 >= 0.95, failing
    assert m.none_accuracy is not None and m.none_accuracy >= 0.90, failing
    assert m.false_none is not None and m.false_none <= 0.03, failing
