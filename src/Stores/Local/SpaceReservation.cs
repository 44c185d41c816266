namespace Kiln.Stores.Local;

/// <summary>Space held on local paths for a sector's files until disposed (Lotus <c>Reserve</c>'s release func).</summary>
public sealed class SpaceReservation : IDisposable
{
    private Action? _release;

    internal SpaceReservation(Action release) => _release = release;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
