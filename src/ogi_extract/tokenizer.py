"""The Chinese tokenizer of the trained pipelines: spaCy's ``ChineseTokenizer`` with jieba in
dictionary-only mode.

jieba's HMM joins unknown character runs into "words" such as ``年区``, ``由市``, ``向市``, ``局在`` and
``条市``: in the round-1 gold set 45 of 1,482 AGENCY spans and 11 COUNT spans start or end inside such a token,
so no token-based NER can predict them exactly. Without the HMM, and without four dictionary words that
glue an agency name to what follows it, one gold span is left crossing a token edge (`全|市政府` read as
`全市|政府`), for 1.9% more tokens. The char and pkuseg segmenters behave exactly as spaCy's.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from spacy.lang.zh import ChineseTokenizer, Segmenter
from spacy.util import registry
from spacy.vocab import Vocab

__all__ = ["OgiChineseTokenizer", "create_tokenizer", "dictionary_jieba"]

# Dictionary words that swallow the end of an agency name: 三明市政府|网, 省卫生健康委|政府…, 政协|提案.
UNGLUED_WORDS = ("政府网", "政府门户", "委政府", "政协提案")


class _DictionaryOnlyJieba:
    """The one call spaCy makes (``cut(text, cut_all=False)``), on a private jieba dictionary."""

    def __init__(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.initialize()
        for word in UNGLUED_WORDS:
            self._tokenizer.del_word(word)

    def cut(self, text: str, cut_all: bool = False):
        return self._tokenizer.cut(text, cut_all=cut_all, HMM=False)


@lru_cache(maxsize=1)
def dictionary_jieba() -> _DictionaryOnlyJieba:
    return _DictionaryOnlyJieba()


class OgiChineseTokenizer(ChineseTokenizer):
    def __init__(self, vocab: Vocab, segmenter: Segmenter | str = Segmenter.jieba):
        super().__init__(vocab, segmenter=segmenter)
        if self.segmenter == Segmenter.jieba:
            self.jieba_seg = dictionary_jieba()


@registry.tokenizers("ogi_chinese_tokenizer.v1")
def create_tokenizer(segmenter: str = "jieba"):
    def make_tokenizer(nlp):
        return OgiChineseTokenizer(nlp.vocab, segmenter=segmenter)

    return make_tokenizer
