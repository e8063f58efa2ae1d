#!/usr/bin/perl
# Writes N customers of one account as a TSV for LOAD DATA (columns: id,
# account_id, livemode, name, email, phone, metadata, created, updated) and
# their ids, one a line, for wrk's GET script. Ids look like ours: cust_ and
# 16 characters of [0-9A-Za-z] (perl's rand is enough for seed data).
# Created times run up to now, one second apart, oldest first, so the pk
# order and the created order agree.
#   perl seed.pl ROWS ACCOUNT_ID customers.tsv ids.txt
use strict;
use warnings;

my ($rows, $account, $tsv, $ids) = @ARGV;
die "usage: seed.pl ROWS ACCOUNT_ID TSV IDS\n" unless defined $ids;
my @a = ('0' .. '9', 'A' .. 'Z', 'a' .. 'z');
my %seen;
my $now = time;
open(my $t, '>', $tsv) or die "$tsv: $!\n";
open(my $i, '>', $ids) or die "$ids: $!\n";
for my $n (1 .. $rows) {
	my $id;
	do {
		$id = 'cust_' . join('', map { $a[int(rand(62))] } 1 .. 16);
	} while ($seen{$id}++);
	my $created = $now - $rows + $n;
	my $phone = $n % 4 ? sprintf('+2547%08d', int(rand(1e8))) : '\N';
	print $t join("\t", $id, $account, 0, "Seed Customer $n",
	    sprintf('seed%d.%06d@example.com', $n, int(rand(1e6))), $phone,
	    '{}', $created, $created), "\n";
	print $i "$id\n";
}
close($t) or die "$tsv: $!\n";
close($i) or die "$ids: $!\n";
