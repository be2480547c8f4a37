"""Figures for the book. Each function draws one figure and returns it."""

from __future__ import annotations

import graphviz


def workflow_diagram() -> graphviz.Digraph:
    """The tutorial's workflow, one box per page, with the module behind it."""
    graph = graphviz.Digraph("workflow", graph_attr={"rankdir": "LR", "bgcolor": "transparent"})
    graph.attr(
        "node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica"
    )
    steps = [
        ("simulate", "Simulate a group\n(simulate)"),
        ("likelihood", "Log-probability of\none participant, vmapped\n(likelihood)"),
        ("model", "Hierarchical model\nin PyMC\n(model)"),
        ("sampling", "NUTS and\ndiagnostics\n(sampling)"),
        ("loo", "Pointwise log-lik.\nand LOO\n(loo)"),
    ]
    for name, label in steps:
        graph.node(name, label)
    for (a, _), (b, _) in zip(steps, steps[1:], strict=False):
        graph.edge(a, b)
    return graph
