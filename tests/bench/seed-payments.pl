#!/usr/bin/perl
# Writes the payments of the scale benchmark (scale.sh) as a TSV for LOAD
# DATA, in the order of payments (columns: id, account_id, livemode,
# customer_id, amount, currency, description, status, failure_code,
# payment_method, metadata, created):
#   - SMALL payments of customer SMALL_ID and BIG of customer BIG_ID, both
#     of account ACCOUNT;
#   - BACKGROUND payments of other customers: nine in ten of ACCOUNT's
#     (drawn from IDS, SMALL_ID and BIG_ID left out), one in ten of
#     OTHER_ACCOUNT's (drawn from OTHER_IDS); one in twenty of those
#     without a customer.
# All of them interleaved at random in one history, one second apart up to
# now, so pk order and created order agree and the big customer's payments
# are spread over the whole table, as a long-standing customer's are.
# Currencies kes, usd, eur; about one in ten failed (card_declined or
# insufficient_funds). The small customer's are fixed: currencies in turn
# kes, usd, eur; its 4th, 7th and 10th (its newest) failed, so its last
# succeeded payment is not its newest payment.
#   perl seed-payments.pl OUT.tsv ACCOUNT IDS SMALL_ID SMALL BIG_ID BIG \
#       OTHER_ACCOUNT OTHER_IDS BACKGROUND
# Payment ids are pay_ and 16 of [0-9A-Za-z] drawn at random; a clash is
# not checked for (1 in 10^16 here); LOAD DATA's row count would show it.
use strict;
use warnings;

my ($out, $account, $ids, $small_id, $small, $big_id, $big, $other,
    $other_ids, $background) = @ARGV;
die "usage: seed-payments.pl OUT ACCOUNT IDS SMALL_ID SMALL BIG_ID BIG" .
    " OTHER_ACCOUNT OTHER_IDS BACKGROUND\n" unless defined $background;

sub read_ids {
	my ($file, @skip) = @_;
	my %skip = map { $_ => 1 } @skip;
	open(my $h, '<', $file) or die "$file: $!\n";
	my @ids;
	while (my $l = <$h>) {
		chomp $l;
		push @ids, $l unless $skip{$l};
	}
	close($h);
	die "$file: no ids\n" unless @ids;
	return \@ids;
}
my $mine = read_ids($ids, $small_id, $big_id);
my $theirs = read_ids($other_ids);

my @a = ('0' .. '9', 'A' .. 'Z', 'a' .. 'z');
my @currencies = ('kes', 'kes', 'kes', 'usd', 'usd', 'eur');
my $total = $small + $big + $background;
my $now = time;
my ($left_small, $left_big, $left_bg) = ($small, $big, $background);
my $n_small = 0;

open(my $t, '>', $out) or die "$out: $!\n";
for my $n (1 .. $total) {
	my $r = int(rand($left_small + $left_big + $left_bg));
	my ($acct, $cust, $cur, $failure);
	if ($r < $left_small) {
		$left_small--;
		$n_small++;
		($acct, $cust) = ($account, $small_id);
		$cur = ('kes', 'usd', 'eur')[($n_small - 1) % 3];
		$failure = ($n_small % 3 == 1 && $n_small > 1) ?
		    ($n_small == $small ? 'card_declined' :
		    'insufficient_funds') : undef;
		# The newest small payment fails even if SMALL is no 3k+1.
		$failure //= 'card_declined' if $n_small == $small;
	} else {
		if ($r < $left_small + $left_big) {
			$left_big--;
			($acct, $cust) = ($account, $big_id);
		} else {
			$left_bg--;
			if (rand() < 0.1) {
				$acct = $other;
				$cust = $theirs->[int(rand(@$theirs))];
			} else {
				$acct = $account;
				$cust = $mine->[int(rand(@$mine))];
			}
			$cust = '\N' if rand() < 0.05;
		}
		$cur = $currencies[int(rand(@currencies))];
		my $f = rand();
		$failure = $f < 0.06 ? 'card_declined' :
		    $f < 0.1 ? 'insufficient_funds' : undef;
	}
	my $pm = !defined $failure ? 'pm_card_visa' :
	    $failure eq 'card_declined' ? 'pm_card_chargeDeclined' :
	    'pm_card_insufficientFunds';
	print $t join("\t",
	    'pay_' . join('', map { $a[int(rand(62))] } 1 .. 16),
	    $acct, 0, $cust, 100 + int(rand(999901)), $cur, '\N',
	    defined $failure ? 'failed' : 'succeeded',
	    defined $failure ? $failure : '\N', $pm, '{}',
	    $now - $total + $n), "\n";
}
close($t) or die "$out: $!\n";
