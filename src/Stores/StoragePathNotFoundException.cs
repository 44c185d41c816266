namespace Kiln.Stores;

/// <summary>Lotus <c>errPathNotFound</c>: the storage id is not open here (or not known to the index).</summary>
public sealed class StoragePathNotFoundException(string message) : StoresException(message);
