"""Per-article extraction of entities, quotes, dated events and figures: part of the analyse stage, so it
runs in the process pool and is cached with the article (the corpus-wide merging is in assemble)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from generator.analyse import last_config
from generator.article import Article
from generator.config import Config
from generator.entities import Gazetteer, article_entities, build_gazetteer, entity_digest, packed_mentions
from generator.discrepancies import article_figures
from generator.events import article_events
from generator.quotes import article_quotes, mentions_digest


@last_config
@lru_cache(maxsize=8)
def gazetteer_for(config: Config) -> Gazetteer:
    return build_gazetteer(config.entities, config.sources)


def extract(article: Article, gazetteer: Gazetteer) -> tuple[Any, Any, Any, Any]:
    entities = article_entities(article, gazetteer)
    return (entities, article_quotes(article, gazetteer, entities), article_events(article),
            article_figures(article))


def with_findings(article: Article, config: Config) -> tuple[str, tuple[bytes, Any, Any, Any], bytes, bytes]:
    """Tagged with the id they were computed under (assemble may rename a duplicate id), with
    the digest of what the entity index reads of the article (`entities.entity_digest`) and that
    of its quotations (`quotes.mentions_digest`). The entity mentions are packed
    (`entities.packed_mentions`): only the entity index reads them."""
    entities, quotes, events, figures = extract(article, gazetteer_for(config))
    return (article.id, (packed_mentions(entities), quotes, events, figures), entity_digest(article, entities),
            mentions_digest(quotes))
