#!/usr/bin/perl
# Prints the SQL text of one `static const struct sql NAME = { "text",
# "sig", once }` of a preprocessed C file (cc -E: macros expanded, the
# string literals still apart), so scale.sh EXPLAINs exactly the statement
# the service prepares. For an array (NAME[4][2]) INDEX picks the entry in
# declaration order (row-major: [i][j] is i * columns + j).
# Output: one line, the parameter signature, a tab, the SQL text.
#   cc -E -P -I fcgi fcgi/payments.c | perl sql-from-c.pl SQL_PAY_LIST 2
use strict;
use warnings;

my ($name, $index) = @ARGV;
die "usage: sql-from-c.pl NAME [INDEX] <preprocessed.c\n" unless $name;
$index //= 0;
my $c = do { local $/; <STDIN> };

$c =~ /\bstruct\s+sql\s+\Q$name\E\b[^=;]*=/g
    or die "sql-from-c.pl: no struct sql $name\n";
# Runs of adjacent string literals up to the initializer's end: each
# entry is a run for the text, then a run for the signature.
my (@runs, $run, $depth);
$depth = 0;
while ($c =~ /\G\s*("(?:[^"\\]|\\.)*"|\{|\}|,|;|[^\s"{},;]+)/gc) {
	my $tok = $1;
	if ($tok =~ /^"(.*)"$/s) {
		my $s = $1;
		$s =~ s/\\(.)/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : $1/ge;
		$run = defined $run ? $run . $s : $s;
		next;
	}
	if (defined $run) {
		push @runs, $run;
		undef $run;
	}
	$depth++ if $tok eq '{';
	$depth-- if $tok eq '}';
	last if $tok eq ';' || ($tok eq '}' && $depth == 0);
}
my ($text, $sig) = @runs[2 * $index, 2 * $index + 1];
die "sql-from-c.pl: $name has no entry $index\n"
    unless defined $text && defined $sig;
print "$sig\t$text\n";
