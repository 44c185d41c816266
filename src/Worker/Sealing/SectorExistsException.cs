namespace Kiln.Worker.Sealing;

/// <summary>A step that would write a sector's sealed file or cache found them declared in the storage index: it refused.</summary>
public sealed class SectorExistsException(string message) : Exception(message);
