namespace Kiln.Worker.Sealing;

/// <summary>Space for a sector's new files could not be reserved (Lotus <c>ErrTempAllocateSpace</c>, code 102; retried by the miner).</summary>
public sealed class AllocateSpaceException(string message, Exception inner) : Exception(message, inner);
