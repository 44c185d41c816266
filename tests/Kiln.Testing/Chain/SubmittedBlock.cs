namespace Kiln.Testing.Chain;

/// <summary>
/// A block <c>SyncSubmitBlock</c> received, as the stand-in decoded it from the JSON (not with Kiln's records).
/// Cid: the header's CID as the stand-in computes it from its own CBOR encoding of the header.
/// </summary>
public sealed record SubmittedBlock(
    string Cid,
    string Miner,
    long Height,
    IReadOnlyList<string> Parents,
    byte[] Ticket,
    long WinCount,
    byte[] ElectionVrf,
    IReadOnlyList<(ulong Round, byte[] Data)> BeaconEntries,
    IReadOnlyList<(long ProofType, byte[] ProofBytes)> WinPoStProofs,
    IReadOnlyList<string> BlsMessages,
    IReadOnlyList<string> SecpkMessages,
    ulong Timestamp);
