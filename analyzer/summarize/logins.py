"""Service clients and logins: whose account a value sent to a service is (flow.toml logins).

A class that keeps a credential on its instances is a client of a service, signed in with the
operator's account; a dict that holds a credential is a login, and so are the names a value is
unpacked into when one of them names a credential. What the client holds on `self`
under an identity name, and what a login sends as its account, is the operator's, not a data
subject's."""

from __future__ import annotations

import re

import libcst as cst

from ..knowledge.vocabulary import split_words
from ..ir import Val
from .names import Scope, assigned_targets, walk
from .values import is_constant, literal_str, made_by

ATTRIBUTE_NAME = re.compile(rb"\.\s*([A-Za-z_][A-Za-z0-9_]*)")  # `x.name` in a module's text


class Logins:
    """Who a value of a service client or a login belongs to, for the Summarizer."""

    def is_login(self, node: cst.Dict) -> bool:
        """Whether a dict literal holds a credential ({"username": u, "password": p}): the caller's own
        login at the service it is sent to (flow.toml logins)."""
        return any(self.names_credential(literal_str(element.key) or "")
                   for element in node.elements if isinstance(element, cst.DictElement))

    def unpacks_login(self, target: cst.Tuple | cst.List) -> bool:
        """Whether names a value is unpacked into name a credential (`scheme, username, password,
        host = parse(url)`): a login as a dict holding one is, whose account names name no person."""
        return any(isinstance(e.value, cst.Name) and self.names_credential(e.value.value) for e in target.elements)

    def names_credential(self, name: str) -> bool:
        """Whether a key or attribute name is a credential by its last word(s) (api_password, X-Auth-Token)."""
        words = split_words(name)
        return bool(words) and (words[-1] in self.login_credentials or "".join(words[-2:]) in self.login_credentials)

    def names_login(self, key: str) -> bool:
        """Whether a key of a login names the account signing in (username, login, X-User-Id)."""
        return self.names_one_of(key, self.flowrules.logins["identities"])

    def logs_in_as_client(self, element: cst.DictElement, key: str | None, scope: Scope) -> bool:
        """Whether an entry of a login dict is the service client's own account, by its key or by
        the name it is held under ({"api_username": self.email, "api_password": self.password}):
        what the client was configured with, not a data subject's, however it came in."""
        value = element.value
        held = value.attr.value if isinstance(value, cst.Attribute) else value.value if isinstance(value, cst.Name) else None
        return any(name is not None and self.client_account(value, name, scope) for name in (key, held))

    def client_account(self, node: cst.BaseExpression, name: str, scope: Scope) -> bool:
        """Whether `name`, given the value `node`, names a service client's own account (flow.toml
        logins client_identities): `self.user`, `{"username": self.user}` in a client class."""
        return self.client_own(node, scope) and self.names_one_of(name, self.flowrules.logins["client_identities"])

    def names_account(self, node: cst.BaseExpression, name: str, value: Val, scope: Scope) -> bool:
        """Whether a local given `node` (whose value is `value`) under `name` holds a service's
        account, not a person's: a client's own, the user of a URL, a name unpacked beside a
        credential."""
        return self.client_account(node, name, scope) or self.url_part(value) or (self.unpacked_login and self.names_login(name))

    def url_part(self, value: Val) -> bool:
        """Whether a value is a parsed URL or a part of one (flow.toml url_parsers, url_types): its
        attributes, and a local given one (`username = urlparse(repo).username`), name no person;
        the user in a URL is the account of the service it points to."""
        return made_by(value, self.calls, self.flowrules.url_parsers + self.flowrules.url_types, self.flowrules.url_decoders)

    def client_own(self, node: cst.BaseExpression, scope: Scope) -> bool:
        """Whether a value is a service client's own: in a method of a class that keeps a credential
        on its instances, `self.user`, `self.image_url(kind)`, a local last given such a value, or
        a choice of such values and constants (`self.user if self.user else self.app_id`)."""
        if not self.is_client(scope.cls):
            return False
        if isinstance(node, cst.Call):
            node = node.func
        if isinstance(node, cst.Attribute):
            return scope.is_self(node.value)
        if isinstance(node, cst.Name):
            return (scope.qualname, node.value) in self.client_locals
        if isinstance(node, cst.BooleanOperation):
            parts = (node.left, node.right)
        elif isinstance(node, cst.IfExp):
            parts = (node.body, node.orelse)
        else:
            return False
        return all(is_constant(p) or self.client_own(p, scope) for p in parts)

    def is_client(self, cls: str | None) -> bool:
        """Whether a class of this module is a service client (flow.toml logins): a method sets or
        reads a credential on the instance (`self.apikey = key`, `self.password` that a base class
        in another module set) that the class body does not declare as a field (a record's `key =
        models.CharField()`), and the class name names no person (not `UserProfile`). Decided
        when first asked (a walk of every method's nodes), once per class."""
        if cls not in self.clients:
            node = self.class_nodes.get(cls)
            self.clients[cls] = node is not None and not self.vocab.names_person(node.name.value) and self._uses_credential(node)
        return self.clients[cls]

    def _uses_credential(self, node: cst.ClassDef) -> bool:
        if self.credential_attributes is None:  # the module's text first: walking every node costs
            found = {name.decode() for name in ATTRIBUTE_NAME.findall(self.text)}
            self.credential_attributes = {name for name in found if self.names_credential(name)}
        declared = {t.value for line in node.body.body if isinstance(line, cst.SimpleStatementLine)
                    for statement in line.body for t in assigned_targets(statement) if isinstance(t, cst.Name)}
        wanted = self.credential_attributes - declared
        for method in node.body.body if wanted else ():
            if not isinstance(method, cst.FunctionDef) or not method.params.params:
                continue
            receiver = method.params.params[0].name.value
            for n in walk(method.body):
                if isinstance(n, cst.Attribute) and n.attr.value in wanted and isinstance(n.value, cst.Name) \
                        and n.value.value == receiver:
                    return True
        return False
