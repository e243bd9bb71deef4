"""Content-negotiation rules for static hosting, in the style of w3id.org's ``.htaccess`` files.

A request for a thing's IRI is answered 303 See Other to the representation
the client asks for: HTML by default, Turtle, JSON-LD, N-Triples or RDF/XML.
"""

from __future__ import annotations

RULES = """\
# spacecoop-kg: content negotiation for static hosting (Apache mod_rewrite).
# Each IRI /id/{kind}/{slug} and /def is answered 303 to its .html, .ttl, .jsonld, .nt
# or .rdf file.
Options -MultiViews
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
AddType application/rdf+xml .rdf
AddType application/trig .trig
AddCharset utf-8 .ttl .jsonld .nt .html

RewriteEngine on

# Turtle
RewriteCond %{HTTP_ACCEPT} text/turtle [OR]
RewriteCond %{HTTP_ACCEPT} application/x-turtle
RewriteRule ^(id/[a-z0-9-]+/[a-z0-9-]+(?:/[a-z0-9-]+)?|def)$ $1.ttl [R=303,L]

# JSON-LD
RewriteCond %{HTTP_ACCEPT} application/ld\\+json
RewriteRule ^(id/[a-z0-9-]+/[a-z0-9-]+(?:/[a-z0-9-]+)?|def)$ $1.jsonld [R=303,L]

# N-Triples
RewriteCond %{HTTP_ACCEPT} application/n-triples
RewriteRule ^(id/[a-z0-9-]+/[a-z0-9-]+(?:/[a-z0-9-]+)?|def)$ $1.nt [R=303,L]

# RDF/XML
RewriteCond %{HTTP_ACCEPT} application/rdf\\+xml
RewriteRule ^(id/[a-z0-9-]+/[a-z0-9-]+(?:/[a-z0-9-]+)?|def)$ $1.rdf [R=303,L]

# Default: the HTML page
RewriteRule ^(id/[a-z0-9-]+/[a-z0-9-]+(?:/[a-z0-9-]+)?|def)$ $1.html [R=303,L]

# Well-known descriptions
RewriteRule ^\\.well-known/void$ void.ttl [R=303,L]
"""
