package pack

// TmpMarker is in the name of every temporary file pack writes before
// renaming it into place; one left behind means an interrupted run.
const TmpMarker = tmpMarker
