/*
 * One cell of Colony, as a Promela model for spin: the protocol of CellReplica
 * (Sources/ColonyCore/Paxos), cut down to what its safety rests on.
 *
 * What is modelled
 *   - Ballots (epoch, round, node) and phase 1 / phase 2 of multi-Paxos over S slots, the
 *     leader's stable phase (it proposes one slot after another without phase 1), and how a
 *     new leader re-proposes the highest-ballot value a promise reported for each open slot.
 *   - A membership change through the log: the change is the value of one slot i; it ends
 *     the epoch there and slots after i belong to the next epoch (activation at i + 1, once
 *     i is applied); a leader proposes nothing after a pending change. Scenario SWAP replaces
 *     member 2 by a new node 3, which starts empty and does not vote until renewed.
 *   - takeOver: a leader (or a removed leader) asks a member to stand now, as the control
 *     plane's leadership transfer and a node's hand-off do.
 *   - Crashes: a replica restarts with exactly what it made durable (promises and accepted
 *     entries, persisted before any message that depends on them leaves, but for a leader's
 *     accepts: they leave while its own entry is written, and its own vote counts once that
 *     entry is durable).
 *   - Damage: a replica that loses its stored state comes back empty, fetches the cell's
 *     state and votes only once the cell has applied its renewal (a membership change that
 *     starts an epoch after anything it may have promised).
 *   - Linearizable reads at the leader, confirmed by a heartbeat round acknowledged by a
 *     majority after the read arrived, and a leader that rests (quiescence) and is woken
 *     by a read.
 *
 * Messages are sets that only grow (as in Lamport's Paxos specification): a message once
 * sent may be received at any later time, any number of times, or never, which covers
 * loss, duplication and reordering without queues.
 *
 * Properties (assertions; each names the property it checks through a hidden constant):
 *   P1 oneValuePerSlot        at most one value is chosen for a slot within an epoch, and
 *                             every replica that applies a slot applies the same value;
 *   P2 readSeesAckedWrites    a read answered by a leader reflects every write acknowledged
 *                             before the read arrived;
 *   P3 oneConfigurationDecides two configurations never decide one slot differently: a slot
 *                             chosen in two epochs is past the change that ended the older,
 *                             and replicas agree on where each change is.
 *
 * Mutants (each removes one safety mechanism; see MAPPING.md for the Swift Defect each
 * mirrors): ACCEPT_IGNORES_PROMISE, LEADER_IGNORES_PROMISED_VALUES, MINORITY_QUORUM,
 * PROMISES_NOT_PERSISTED, SENDS_BEFORE_DURABLE, COUNTS_OWN_VOTE_BEFORE_DURABLE,
 * EMPTY_REPLICAS_VOTE, READS_SKIP_CONFIRMATION, QUIESCENT_READS_SKIP_CONFIRMATION,
 * TAKEOVER_SKIPS_PHASE1, EARLY_ACTIVATION.
 *
 * Each step prints what it does, so `spin -t` replays a trail as a readable story. Values:
 * 1 a no-op, 2 the membership change, 3 a renewal, 4 and up client writes.
 *
 * Scenarios: the default (3 members; with TRANSFER, leaders ask members to take over), SWAP
 * (3 members, one replaced by a fourth node), RENEW (3 members, one loses its stored state and
 * is renewed). Model/checks.txt lists the bounds each is checked with.
 */

#if defined(SWAP)
#define N 4
#else
#define N 3
#endif

#ifndef S
#define S 2            /* slots 1..S */
#endif
#ifndef MAXB
#define MAXB 3         /* ballots, over all epochs and candidates */
#endif
#ifndef MAXW
#define MAXW 2         /* client writes */
#endif
#ifndef MAXCRASH
#define MAXCRASH 1
#endif
#ifndef MAXREAD
#define MAXREAD 1
#endif
#ifndef MAXROUND
#define MAXROUND 2     /* heartbeat rounds per leader */
#endif
#ifndef MAXEPOCH
#define MAXEPOCH 1     /* membership changes (renewals included) */
#endif
#if defined(RENEW)
#ifndef MAXDAMAGE
#define MAXDAMAGE 1
#endif
#else
#define MAXDAMAGE 0
#endif

/* Values of a slot. */
#define NONE 0
#define NOOP 1
#define CHANGE 2       /* the swap: replace member 2 by node 3 */
#define RENEWAL 3      /* renew a damaged member: same members, next epoch */
#define WRITE0 4       /* client writes: WRITE0, WRITE0 + 1, ... */
#define isChange(v) ((v) == CHANGE || (v) == RENEWAL)

/* Roles. */
#define FOLLOWER 0
#define PREPARING 1
#define LEADING 2

/* Configurations: members as a bit set per epoch; every configuration has 3 members. */
#define MEMBERS0 7     /* {0, 1, 2} */
#if defined(SWAP)
#define members(e) ((e) == 0 -> MEMBERS0 : 11)  /* {0, 1, 3} from epoch 1 on */
#else
#define members(e) (MEMBERS0)
#endif
#define QUORUM 2
/* The members of the first configuration are alike: the first candidate is one of them, wlog. */
#if defined(SWAP)
#define firstCandidate(R) ((R) == 0 || (R) == 2)   /* one that stays, or the one removed */
#else
#define firstCandidate(R) ((R) == 0)
#endif
/* The ACCEPT_IGNORES_PROMISE defect: an acceptor accepts below its promise. */
#if defined(ACCEPT_IGNORES_PROMISE)
#define respectsPromise(y, x) 1
#else
#define respectsPromise(y, x) atLeast(y, promised[x])
#endif
/* The MINORITY_QUORUM defect: a leader takes one acceptance fewer than a majority as chosen. */
#if defined(MINORITY_QUORUM)
#define LEADER_QUORUM (QUORUM - 1)
#else
#define LEADER_QUORUM QUORUM
#endif
#define has(set, r) ((((set) >> (r)) & 1) == 1)
#define count(set) (((set) & 1) + (((set) >> 1) & 1) + (((set) >> 2) & 1) + (((set) >> 3) & 1))

/* Ballots are numbered 1..MAXB in the order candidates take them, and ordered by epoch first,
 * then number: a candidate's ballot is above every ballot of its epoch taken before it, as
 * `nextCandidateBallot` is above every round the candidate saw. Ballot 0 is Ballot.zero. */
#define above(x, y) (bEpoch[x] > bEpoch[y] || (bEpoch[x] == bEpoch[y] && (x) > (y)))
#define atLeast(x, y) ((x) == (y) || above(x, y))

#define SLOTS (S + 1)
#define at(r, s) ((r) * SLOTS + (s))
#define bs(b, s) ((b) * SLOTS + (s))
#define ba(b, a) ((b) * N + (a))
#define bas(b, a, s) (((b) * N + (a)) * SLOTS + (s))

/* Property names, printed by spin in a violated assertion. */
hidden byte oneValuePerSlot = 1;
hidden byte readSeesAckedWrites = 1;
hidden byte oneConfigurationDecides = 1;

/* ---- Ballots taken ---- */
byte ballots;                      /* ballots taken so far */
byte bEpoch[MAXB + 1];
byte bOwner[MAXB + 1];

/* ---- Messages: sets that only grow ---- */
bit prepareSent[MAXB + 1];
/* Promises (phase 1b), kept as the candidate folds them: who promised, the furthest applied
 * point reported, and for each slot the entry of the highest ballot reported. A candidate
 * folds every promise it has when it takes the lead, so folding them as they come is the same. */
byte promisers[MAXB + 1];
byte promisedApplied[MAXB + 1];
byte reportedBallot[(MAXB + 1) * SLOTS];
byte reportedValue[(MAXB + 1) * SLOTS];
byte proposal[(MAXB + 1) * SLOTS]; /* accept (phase 2a): the value b proposes for a slot */
byte acceptedBy[(MAXB + 1) * SLOTS];          /* accepted (phase 2b) */
byte commitSent[MAXB + 1];         /* the highest applied point b's leader announced */
byte roundSent[MAXB + 1];          /* heartbeat rounds b's leader started */
byte roundAcked[(MAXB + 1) * N];   /* the highest round each member acknowledged */
byte takeOverSent[MAXB + 1];       /* members a removed leader of b asked to take over */
byte renewalAsked;                 /* damaged members that asked to be renewed */

/* ---- Each replica's memory ---- */
byte promised[N];
byte accBallot[N * SLOTS];
byte accValue[N * SLOTS];
byte role[N];
byte lead[N];                      /* the ballot it stands or leads with */
byte nextSlot[N];
bit changePending[N];              /* a leader's stop sign is proposed: nothing after it */
bit quiet[N];                      /* a resting leader */
byte round[N];
bit reading[N];
byte readRound[N];
byte readIndex[N];
byte readFloor[N];

/* ---- Each replica's disk ---- */
byte dPromised[N];
byte dAccBallot[N * SLOTS];
byte dAccValue[N * SLOTS];
bit unsynced[N];                   /* written, not yet durable: a leader's early accepts, or
                                    * anything under SENDS_BEFORE_DURABLE */
/* The applied state is a snapshot, durable when taken (the model snapshots every slot). */
bit hasState[N];
byte epoch[N];
byte applied[N];
bit damaged[N];
byte renewalEpoch[N];              /* the epoch a damaged member asked its renewal in */

/* ---- Ghosts: what the properties are judged on ---- */
byte chosenValue[(MAXEPOCH + 1) * SLOTS];
byte appliedValue[SLOTS];
byte endOf[MAXEPOCH + 1];          /* the slot whose change ended each epoch, 0 while none */
byte ackedThrough;                 /* the highest slot of a write acknowledged to a client */
byte writes;
byte crashes;
byte damages;
byte reads;

/* ---- Temporaries of the step being taken (reset after every step) ---- */
byte r, q, b, s, v, best, last, k;

#define canVote(x) (hasState[x] && !damaged[x] && has(members(epoch[x]), x))
/* A ballot's message reaches replica x in the same epoch, from a member of it. */
#define sameEpoch(x, y) (hasState[x] && !damaged[x] && bEpoch[y] == epoch[x] && has(members(epoch[x]), x) && has(members(epoch[x]), bOwner[y]) && bOwner[y] != (x))

/* Persists what the replica promised and accepted, before the message that depends on it
 * leaves (the node core's DurabilityGate). */
inline persist(x) {
#if defined(SENDS_BEFORE_DURABLE)
    unsynced[x] = 1;
#else
    flush(x);
#endif
}

inline flush(x) {
#if !defined(PROMISES_NOT_PERSISTED)
    dPromised[x] = promised[x];
#endif
    k = 1;
    do
    :: k <= S -> dAccBallot[at(x, k)] = accBallot[at(x, k)]; dAccValue[at(x, k)] = accValue[at(x, k)]; k++
    :: else -> break
    od;
    k = 0;
    unsynced[x] = 0
}

/* stepDownIfLeading: a leader or candidate returns to following; waiting reads are redirected. */
inline stepDown(x) {
    role[x] = FOLLOWER;
    reading[x] = 0;
    quiet[x] = 0;
    changePending[x] = 0
}

/* A vote for (y, slot) is recorded; a majority of the ballot's configuration chooses. */
inline vote(y, slot, x) {
    acceptedBy[bs(y, slot)] = acceptedBy[bs(y, slot)] | (1 << (x));
    if
    :: count(acceptedBy[bs(y, slot)] & members(bEpoch[y])) >= QUORUM ->
        if
        :: chosenValue[bs(bEpoch[y], slot)] == NONE -> chosenValue[bs(bEpoch[y], slot)] = proposal[bs(y, slot)]
        :: else -> assert(oneValuePerSlot && chosenValue[bs(bEpoch[y], slot)] == proposal[bs(y, slot)])
        fi;
        /* Chosen in two epochs: the older must have ended before this slot. */
        k = 0;
        do
        :: k <= MAXEPOCH ->
            if
            :: k != bEpoch[y] && chosenValue[bs(k, slot)] != NONE && chosenValue[bs(k, slot)] != proposal[bs(y, slot)] ->
                if
                :: k < bEpoch[y] -> assert(oneConfigurationDecides && endOf[k] != 0 && endOf[k] < slot)
                :: else -> assert(oneConfigurationDecides && endOf[bEpoch[y]] != 0 && endOf[bEpoch[y]] < slot)
                fi
            :: else -> skip
            fi;
            k++
        :: else -> break
        od;
        k = 0
    :: else -> skip
    fi
}

/* startPrepare: a fresh ballot above all this replica saw, promised to itself; phase 1a. */
inline stand(x) {
    ballots++;
    bEpoch[ballots] = epoch[x];
    bOwner[ballots] = x;
    stepDown(x);
    promised[x] = ballots;
    role[x] = PREPARING;
    lead[x] = ballots;
    report(ballots, x);
    persist(x);
    prepareSent[ballots] = 1
}

/* The promise of x for ballot y (phase 1b): what it applied, every entry after that. */
inline report(y, x) {
    promisers[y] = promisers[y] | (1 << (x));
    if
    :: applied[x] > promisedApplied[y] -> promisedApplied[y] = applied[x]
    :: else -> skip
    fi;
    k = applied[x] + 1;
    do
    :: k <= S ->
        if
        :: accBallot[at(x, k)] != 0 && (reportedBallot[bs(y, k)] == 0 || above(accBallot[at(x, k)], reportedBallot[bs(y, k)])) ->
            reportedBallot[bs(y, k)] = accBallot[at(x, k)]; reportedValue[bs(y, k)] = accValue[at(x, k)]
        :: else -> skip
        fi;
        k++
    :: else -> break
    od;
    k = 0
}

/* propose: the leader accepts the value for its next slot itself and sends accept (2a) at
 * once, while its own entry is written; its own vote counts once that entry is durable
 * (tryFlush), unless COUNTS_OWN_VOTE_BEFORE_DURABLE counts it now. */
inline propose(x, value) {
    printf("r%d proposes value %d in slot %d under ballot %d\n", x, value, nextSlot[x], lead[x]);
    proposal[bs(lead[x], nextSlot[x])] = value;
    accBallot[at(x, nextSlot[x])] = lead[x];
    accValue[at(x, nextSlot[x])] = value;
    unsynced[x] = 1;
#if defined(COUNTS_OWN_VOTE_BEFORE_DURABLE) || defined(SENDS_BEFORE_DURABLE)
    vote(lead[x], nextSlot[x], x);
#endif
    if
    :: isChange(value) -> changePending[x] = 1
    :: else -> skip
    fi;
    nextSlot[x]++
}

/* The EARLY_ACTIVATION defect: a leader takes up the configuration it just proposed (value
 * v) at once, before a majority chose it, instead of once it applied it. */
inline activateEarly(x) {
#if defined(EARLY_ACTIVATION)
    if
    :: nextSlot[x] == applied[x] + 2 -> s = applied[x] + 1; apply(x, s, v)
    :: else -> skip
    fi
#else
    skip
#endif
}

/* applyChosen / enterNewEpoch: applies slot `slot`; a change ends the epoch there. */
inline apply(x, slot, value) {
    printf("r%d applies value %d in slot %d in epoch %d\n", x, value, slot, epoch[x]);
    if
    :: appliedValue[slot] == NONE -> appliedValue[slot] = value
    :: else ->
        assert(oneValuePerSlot && (appliedValue[slot] == value || isChange(appliedValue[slot]) || isChange(value)));
        assert(oneConfigurationDecides && appliedValue[slot] == value)
    fi;
    applied[x] = slot;
    if
    :: role[x] == LEADING && value >= WRITE0 && slot > ackedThrough -> ackedThrough = slot
    :: else -> skip
    fi;
    if
    :: role[x] == LEADING -> commitSent[lead[x]] = slot
    :: else -> skip
    fi;
    if
    :: isChange(value) -> enterNewEpoch(x, slot)
    :: else -> skip
    fi
}

inline enterNewEpoch(x, slot) {
    if
    :: endOf[epoch[x]] == 0 -> endOf[epoch[x]] = slot
    :: else -> assert(oneConfigurationDecides && endOf[epoch[x]] == slot)
    fi;
    epoch[x]++;
    /* The old epoch's entries after the change are dropped unapplied. */
    k = slot + 1;
    do
    :: k <= S -> accBallot[at(x, k)] = 0; accValue[at(x, k)] = NONE; k++
    :: else -> break
    od;
    k = 0;
    flush(x);
    heal(x);
    if
    :: role[x] == LEADING ->
        b = lead[x];
        stepDown(x);
        if
        :: has(members(epoch[x]), x) && canVote(x) && ballots < MAXB -> stand(x)
        :: !has(members(epoch[x]), x) -> takeOverSent[b] = takeOverSent[b] | (members(epoch[x]) & ~(1 << (x)))
        :: else -> skip
        fi
    :: else -> stepDown(x)
    fi
}

/* healIfRenewed: a damaged member votes again once its renewal started a newer epoch. */
inline heal(x) {
    if
    :: damaged[x] && has(renewalAsked, x) && epoch[x] > renewalEpoch[x] ->
        damaged[x] = 0;
        renewalAsked = renewalAsked & ~(1 << (x))
    :: else -> skip
    fi
}

/* becomeLeader: re-proposes, under its own ballot, the highest-ballot value reported for
 * each open slot (a no-op in a hole), then leads. */
inline becomeLeader(x) {
    last = applied[x];
#if !defined(LEADER_IGNORES_PROMISED_VALUES)
    s = applied[x] + 1;
    do
    :: s <= S ->
        if
        :: reportedBallot[bs(lead[x], s)] != 0 -> last = s
        :: else -> skip
        fi;
        s++
    :: else -> break
    od;
#endif
    role[x] = LEADING;
    nextSlot[x] = applied[x] + 1;
    round[x] = 0;
    commitSent[lead[x]] = applied[x];
    s = applied[x] + 1;
    do
    :: s <= last ->
        if
        :: reportedBallot[bs(lead[x], s)] != 0 -> v = reportedValue[bs(lead[x], s)]
        :: else -> v = NOOP
        fi;
        propose(x, v);
        s++
    :: else -> break
    od
}

/* install: takes a peer's snapshot (catch-up), newer than what it applied. */
inline install(x, y) {
    if
    :: role[x] == LEADING -> stepDown(x)
    :: else -> skip
    fi;
    if
    :: epoch[x] != epoch[y] || !hasState[x] ->
        stepDown(x);
        /* Entries of an older epoch are dropped with it. */
        k = 1;
        do
        :: k <= S ->
            if
            :: bEpoch[accBallot[at(x, k)]] < epoch[y] || k <= applied[y] -> accBallot[at(x, k)] = 0; accValue[at(x, k)] = NONE
            :: else -> skip
            fi;
            k++
        :: else -> break
        od;
        k = 0
    :: else -> skip
    fi;
    hasState[x] = 1;
    epoch[x] = epoch[y];
    applied[x] = applied[y];
    heal(x)
}

/* Restart: memory is what the disk holds, less the entries of an epoch its snapshot ended. */
inline crash(x) {
    crashes++;
    stepDown(x);
    promised[x] = dPromised[x];
    k = 1;
    do
    :: k <= S ->
        if
        :: bEpoch[dAccBallot[at(x, k)]] >= epoch[x] ->
            accBallot[at(x, k)] = dAccBallot[at(x, k)]; accValue[at(x, k)] = dAccValue[at(x, k)]
        :: else -> accBallot[at(x, k)] = 0; accValue[at(x, k)] = NONE
        fi;
        k++
    :: else -> break
    od;
    k = 0;
    unsynced[x] = 0
}

/* CellReplica.empty: the stored state is lost; the replica waits to be renewed. */
inline damage(x) {
    damages++;
    stepDown(x);
    promised[x] = 0; dPromised[x] = 0;
    k = 1;
    do
    :: k <= S ->
        accBallot[at(x, k)] = 0; accValue[at(x, k)] = NONE;
        dAccBallot[at(x, k)] = 0; dAccValue[at(x, k)] = NONE;
        k++
    :: else -> break
    od;
    k = 0;
    unsynced[x] = 0;
    hasState[x] = 0;
    epoch[x] = 0;
    applied[x] = 0;
#if !defined(EMPTY_REPLICAS_VOTE)
    damaged[x] = 1
#endif
}

/*
 * The steps. Each is one indivisible transition (d_step) of one replica R (with ballot B,
 * slot T, peer P where it takes one); its first statement is its guard, so a step that is
 * not enabled costs the search nothing.
 */

/* A member whose election timer ran out stands (the pre-vote only delays this). */
inline tryStand(R) {
    canVote(R) && ballots < MAXB && role[R] != LEADING && (ballots > 0 || firstCandidate(R));
    printf("r%d stands with ballot %d of epoch %d\n", R, ballots + 1, epoch[R]);
    stand(R)
}

/* receivePrepare: promise a ballot not below any promised (phase 1b). */
inline tryPromise(R, B) {
    B <= ballots && prepareSent[B] && sameEpoch(R, B) && atLeast(B, promised[R]) && !has(promisers[B], R);
    printf("r%d promises ballot %d\n", R, B);
    if
    :: above(B, promised[R]) -> stepDown(R); promised[R] = B
    :: else -> skip
    fi;
    report(B, R);
    persist(R)
}

/* finishPrepareIfReady: a majority promised and the candidate applied as far as any. */
inline tryLead(R) {
    role[R] == PREPARING && count(promisers[lead[R]] & members(epoch[R])) >= QUORUM && promisedApplied[lead[R]] <= applied[R];
    printf("r%d leads with ballot %d after slot %d\n", R, lead[R], applied[R]);
    becomeLeader(R)
}

#define canPropose(R) (role[R] == LEADING && !changePending[R] && nextSlot[R] <= S)

/* enqueueWrite / proposeQueued: the leader proposes a client write in its next slot. */
inline tryWrite(R) {
    canPropose(R) && writes < MAXW;
    quiet[R] = 0; writes++; v = WRITE0 + writes - 1; propose(R, v)
}

/* The control plane's membership change (SWAP): replace member 2 by node 3. */
inline trySwap(R) {
    canPropose(R) && epoch[R] == 0;
    quiet[R] = 0; v = CHANGE; propose(R, v); activateEarly(R)
}

/* receiveRenewalRequest: the leader proposes the renewal a damaged member asked for. */
inline tryRenew(R) {
    canPropose(R) && epoch[R] < MAXEPOCH && (renewalAsked & members(epoch[R])) != 0;
    quiet[R] = 0; v = RENEWAL; propose(R, v); activateEarly(R)
}

/* receiveAccept: accept unless a higher ballot was promised (phase 2b). */
inline tryAccept(R, B, T) {
    B <= ballots && proposal[bs(B, T)] != NONE && sameEpoch(R, B) && T > applied[R] && accBallot[at(R, T)] != B && respectsPromise(B, R);
    printf("r%d accepts value %d in slot %d under ballot %d\n", R, proposal[bs(B, T)], T, B);
    if
    :: above(B, promised[R]) -> stepDown(R); promised[R] = B
    :: else -> skip
    fi;
    accBallot[at(R, T)] = B;
    accValue[at(R, T)] = proposal[bs(B, T)];
    persist(R);
    vote(B, T, R)
}

/* receiveAccepted: a majority of the leader's configuration chose its next slot to apply. */
inline tryChosen(R) {
    role[R] == LEADING && applied[R] + 1 < nextSlot[R] && count(acceptedBy[bs(lead[R], applied[R] + 1)] & members(epoch[R])) >= LEADER_QUORUM;
    s = applied[R] + 1; v = proposal[bs(lead[R], s)]; apply(R, s, v)
}

/* noteCommit: a follower applies what it accepted under the ballot of a leader that
 * announced it applied that far. */
inline tryLearn(R) {
    hasState[R] && role[R] != LEADING && applied[R] < S && accBallot[at(R, applied[R] + 1)] != 0 && commitSent[accBallot[at(R, applied[R] + 1)]] > applied[R];
    s = applied[R] + 1; v = accValue[at(R, s)]; apply(R, s, v)
}

/* requestCatchUp / install: catch up from a peer that applied further or is in a newer epoch. */
inline tryInstall(R, P) {
    R != P && hasState[P] && (has(members(epoch[P]), R) || hasState[R]) && (!hasState[R] || applied[P] > applied[R] || epoch[P] > epoch[R]);
    printf("r%d installs the state of r%d: applied through %d, epoch %d\n", R, P, applied[P], epoch[P]);
    install(R, P)
}

/* startRound: a leader starts a heartbeat round. */
inline tryRound(R) {
    role[R] == LEADING && !quiet[R] && round[R] < MAXROUND;
    printf("r%d starts heartbeat round %d\n", R, round[R] + 1);
    round[R]++; roundSent[lead[R]] = round[R]
}

/* receiveHeartbeat: follow the leader, acknowledge its round. */
inline tryHeartbeat(R, B) {
    B <= ballots && roundSent[B] > roundAcked[ba(B, R)] && sameEpoch(R, B) && atLeast(B, promised[R]);
    printf("r%d acknowledges round %d of ballot %d\n", R, roundSent[B], B);
    if
    :: above(B, promised[R]) -> stepDown(R); promised[R] = B; persist(R)
    :: else -> skip
    fi;
    roundAcked[ba(B, R)] = roundSent[B]
}

/* enqueueRead: a linearizable read arrives at a leader; it waits for a round that starts
 * after it (the defects take an earlier one). */
inline tryRead(R) {
    role[R] == LEADING && !reading[R] && reads < MAXREAD;
    printf("a read arrives at r%d, after writes acknowledged through slot %d\n", R, ackedThrough);
    reads++;
    reading[R] = 1;
    readFloor[R] = ackedThrough;
    readIndex[R] = nextSlot[R] - 1;
#if defined(READS_SKIP_CONFIRMATION)
    readRound[R] = 0;
#elif defined(QUIESCENT_READS_SKIP_CONFIRMATION)
    if
    :: quiet[R] && round[R] > 0 -> readRound[R] = round[R]
    :: else -> round[R]++; roundSent[lead[R]] = round[R]; readRound[R] = round[R]
    fi;
#else
    round[R]++; roundSent[lead[R]] = round[R]; readRound[R] = round[R];
#endif
    quiet[R] = 0
}

/* serveReads: the read's round is confirmed by a majority and its read index applied. */
inline tryServe(R) {
    role[R] == LEADING && reading[R] && applied[R] >= readIndex[R];
    printf("r%d tries to answer its read, applied through %d\n", R, applied[R]);
    v = 0; q = 0;
    do
    :: q < N ->
        if
        :: has(members(epoch[R]), q) && (q == R || roundAcked[ba(lead[R], q)] >= readRound[R]) -> v++
        :: else -> skip
        fi;
        q++
    :: else -> break
    od;
    if
    :: v >= QUORUM ->
        assert(readSeesAckedWrites && applied[R] >= readFloor[R]);
        reading[R] = 0
    :: else -> skip
    fi
}

/* quiesceIfIdle: a leader with nothing in flight rests. */
inline tryQuiesce(R) {
    role[R] == LEADING && !quiet[R] && !reading[R] && applied[R] + 1 == nextSlot[R];
    printf("r%d rests\n", R);
    quiet[R] = 1
}

/* transferLeadership / askToTakeOver, and receiveTakeOver at its target: the leader asks a
 * member that follows it to stand at once. (Delivered at once: a member may stand at any time
 * anyway, so a late takeOver adds nothing to what is checked.) */
inline tryTransfer(R, P) {
    role[R] == LEADING && !changePending[R] && P != R && canVote(P) && role[P] == FOLLOWER && promised[P] == lead[R] && ballots < MAXB;
    printf("r%d asks r%d to take over\n", R, P);
    takeOver(P)
}

/* receiveTakeOverFromRemovedLeader: a leader the change removed asked a member that stays to
 * stand for the new epoch. */
inline tryHandOver(R, B) {
    B <= ballots && has(takeOverSent[B], R) && canVote(R) && role[R] == FOLLOWER && promised[R] == B && ballots < MAXB && bEpoch[B] + 1 == epoch[R] && !has(members(epoch[R]), bOwner[B]);
    printf("r%d takes over from the removed leader of ballot %d\n", R, B);
    takeOver(R)
}

inline takeOver(x) {
#if defined(TAKEOVER_SKIPS_PHASE1)
    /* The defect: it takes the lead under a higher ballot without phase 1. */
    ballots++;
    bEpoch[ballots] = epoch[x];
    bOwner[ballots] = x;
    promised[x] = ballots;
    persist(x);
    lead[x] = ballots;
    role[x] = LEADING;
    nextSlot[x] = applied[x] + 1;
    round[x] = 0;
    commitSent[ballots] = applied[x]
#else
    stand(x)
#endif
}

/* renewalTick: a damaged member holding the cell's state asks to be renewed. */
inline tryAskRenewal(R) {
    damaged[R] && hasState[R] && has(members(epoch[R]), R) && !has(renewalAsked, R);
    printf("r%d asks to be renewed\n", R);
    renewalAsked = renewalAsked | (1 << R);
    renewalEpoch[R] = epoch[R]
}

/* The log makes what was written durable; a leader's own votes for the slots it proposed
 * come back to it (NodeCore.deliverOwnMessages). */
inline tryFlush(R) {
    unsynced[R];
    printf("r%d makes what it wrote durable\n", R);
    flush(R);
#if !defined(COUNTS_OWN_VOTE_BEFORE_DURABLE) && !defined(SENDS_BEFORE_DURABLE)
    if
    :: role[R] == LEADING ->
        s = applied[R] + 1;
        do
        :: s < nextSlot[R] ->
            if
            :: accBallot[at(R, s)] == lead[R] && !has(acceptedBy[bs(lead[R], s)], R) -> vote(lead[R], s, R)
            :: else -> skip
            fi;
            s++
        :: else -> break
        od
    :: else -> skip
    fi
#endif
}

/* A node crashes and restarts. */
inline tryCrash(R) {
    crashes < MAXCRASH && hasState[R];
    printf("r%d crashes and restarts\n", R);
    crash(R)
}

/* A member's stored state is lost or found damaged. */
inline tryDamage(R) {
    damages < MAXDAMAGE && hasState[R] && has(MEMBERS0, R);
    printf("r%d loses its stored state\n", R);
    damage(R)
}

/* One option per step and replica (and ballot, slot, peer); the temporaries are reset after
 * every step, so they never tell two states apart. */
#define done r = 0; q = 0; b = 0; s = 0; v = 0; best = 0; last = 0; k = 0
#define STEP(call) :: d_step { call; done }
#if N > 3
#define EACH_R(X) STEP(X(0)) STEP(X(1)) STEP(X(2)) STEP(X(3))
#define EACH_RP(X) EACH_P(X, 0) EACH_P(X, 1) EACH_P(X, 2) EACH_P(X, 3)
#define EACH_P(X, R) STEP(X(R, 0)) STEP(X(R, 1)) STEP(X(R, 2)) STEP(X(R, 3))
#define EACH_RB(X) EACH_B(X, 0) EACH_B(X, 1) EACH_B(X, 2) EACH_B(X, 3)
#define EACH_RBT(X) EACH_BT(X, 0) EACH_BT(X, 1) EACH_BT(X, 2) EACH_BT(X, 3)
#else
#define EACH_R(X) STEP(X(0)) STEP(X(1)) STEP(X(2))
#define EACH_RP(X) EACH_P(X, 0) EACH_P(X, 1) EACH_P(X, 2)
#define EACH_P(X, R) STEP(X(R, 0)) STEP(X(R, 1)) STEP(X(R, 2))
#define EACH_RB(X) EACH_B(X, 0) EACH_B(X, 1) EACH_B(X, 2)
#define EACH_RBT(X) EACH_BT(X, 0) EACH_BT(X, 1) EACH_BT(X, 2)
#endif
#if MAXB > 4
#define EACH_B(X, R) STEP(X(R, 1)) STEP(X(R, 2)) STEP(X(R, 3)) STEP(X(R, 4)) STEP(X(R, 5))
#define EACH_BT(X, R) EACH_T(X, R, 1) EACH_T(X, R, 2) EACH_T(X, R, 3) EACH_T(X, R, 4) EACH_T(X, R, 5)
#elif MAXB > 3
#define EACH_B(X, R) STEP(X(R, 1)) STEP(X(R, 2)) STEP(X(R, 3)) STEP(X(R, 4))
#define EACH_BT(X, R) EACH_T(X, R, 1) EACH_T(X, R, 2) EACH_T(X, R, 3) EACH_T(X, R, 4)
#else
#define EACH_B(X, R) STEP(X(R, 1)) STEP(X(R, 2)) STEP(X(R, 3))
#define EACH_BT(X, R) EACH_T(X, R, 1) EACH_T(X, R, 2) EACH_T(X, R, 3)
#endif
#if S > 2
#define EACH_T(X, R, B) STEP(X(R, B, 1)) STEP(X(R, B, 2)) STEP(X(R, B, 3))
#else
#define EACH_T(X, R, B) STEP(X(R, B, 1)) STEP(X(R, B, 2))
#endif

init {
    d_step {
        r = 0;
        do
        :: r < N ->
            hasState[r] = has(MEMBERS0, r);
            damaged[r] = !has(MEMBERS0, r);   /* a node added later starts empty (SWAP) */
            r++
        :: else -> break
        od;
        r = 0
    };
    /* Every bound spent, nothing is left to do: a state that ends the search, not a deadlock. */
end:
    do
    EACH_R(tryStand)
    EACH_RB(tryPromise)
    EACH_R(tryLead)
    EACH_R(tryWrite)
#if defined(SWAP)
    EACH_R(trySwap)
#endif
    EACH_R(tryRenew)
    EACH_RBT(tryAccept)
    EACH_R(tryChosen)
    EACH_R(tryLearn)
    EACH_RP(tryInstall)
#if MAXREAD > 0
    EACH_R(tryRound)
    EACH_RB(tryHeartbeat)
    EACH_R(tryRead)
    EACH_R(tryServe)
    EACH_R(tryQuiesce)
#endif
#if defined(TRANSFER)
    EACH_RP(tryTransfer)
#endif
#if defined(SWAP)
    EACH_RB(tryHandOver)
#endif
    EACH_R(tryAskRenewal)
    EACH_R(tryFlush)
    EACH_R(tryCrash)
#if MAXDAMAGE > 0
    EACH_R(tryDamage)
#endif
    od
}
