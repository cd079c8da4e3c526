"""The relation fields and line amounts of sales quotes and sales orders, read with exact values
(api.md §5)."""

from __future__ import annotations

from typing import Any

from resolvers.session import SessionFactory
from tests.conftest import GraphQLClient
from tests.reads.relations_helpers import given_a_sales_world

LINES = "lines { lineNo description quantity unitPrice lineDiscountPct amount }"


def line(i: int, quantity: str, price: str, discount: str, amount: str) -> dict[str, Any]:
    return {
        "lineNo": i * 10000, "description": f"Item {i}", "quantity": quantity, "unitPrice": price,
        "lineDiscountPct": discount, "amount": amount,
    }  # fmt: skip


async def test_sales_quote_links_and_line_amounts(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        f"""{{ salesQuote(no: "SQ1") {{ no documentDate orderDate shipmentDate amount contact {{ no }}
             salesperson {{ code }} opportunity {{ no }} {LINES} }}
           empty: salesQuote(no: "SQ2") {{ amount contact {{ no }} salesperson {{ code }} opportunity {{ no }}
             {LINES} }} }}"""
    )

    assert data["salesQuote"] == {
        "no": "SQ1", "documentDate": "2024-01-10", "orderDate": None, "shipmentDate": None,
        "amount": "110.12", "contact": {"no": "P1"}, "salesperson": {"code": "SP1"},
        "opportunity": {"no": "OP1"},
        "lines": [
            line(1, "2.0000", "10.0000", "0", "20.00"),
            line(2, "3.0000", "33.3300", "10", "89.99"),
            line(3, "1.0000", "0.1250", "0", "0.13"),  # half-up: 0.125 → 0.13
        ],
    }  # fmt: skip
    assert data["empty"] == {
        "amount": "0.00", "contact": {"no": "P2"}, "salesperson": None, "opportunity": None, "lines": []
    }  # fmt: skip


async def test_sales_order_links_and_line_amounts(gql: GraphQLClient, sessions: SessionFactory) -> None:
    await given_a_sales_world(sessions)

    data = await gql.query(
        f"""{{ salesOrder(no: "SO1") {{ no quoteNo documentDate amount contact {{ no }} salesperson {{ code }}
             opportunity {{ no }} {LINES} }} }}"""
    )

    assert data["salesOrder"] == {
        "no": "SO1", "quoteNo": "SQ0", "documentDate": "2024-01-10", "amount": "25.99",
        "contact": {"no": "C1"}, "salesperson": {"code": "SP2"}, "opportunity": {"no": "OP3"},
        "lines": [line(1, "4.0000", "12.5000", "50", "25.00"), line(2, "1.0000", "0.9900", "0", "0.99")],
    }  # fmt: skip
